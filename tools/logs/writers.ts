/*
 * Writing CAN logs, the other half of tools/logs: candump -l, Vector ASC,
 * PEAK TRC 2.1 and SavvyCAN GVRET CSV, each laid out as the tools that read
 * these formats expect (can-utils, python-can's writers, PCAN-View,
 * SavvyCAN), so that what `xs-cluster convert` writes reads back, through
 * our readers and python-can's, as the frames it was given. Node only;
 * allocates a string per frame.
 *
 * A writer turns frames into text: `frame(frame)` returns the lines for one
 * frame (the header comes before the first, since ASC and TRC need the
 * start time), `end()` what closes the file. Frames a format cannot hold are
 * counted in `skipped` instead (remote and error frames in GVRET CSV).
 * ASC and TRC write times as offsets from the first frame: a frame earlier
 * than the first (a log that steps back in time) is written at the first
 * frame's time and counted in `clamped`.
 */
import { formatCandumpLine } from "../../modules/can/candump.js";
import { CanFrame } from "../../modules/can/frame.js";
import type { LogFormat } from "./formats.js";

export interface LogWriter {
	readonly format: LogFormat;
	/** Frames the format has no form for, left out. */
	skipped: number;
	/** Frames earlier than the first, written at its time. */
	clamped: number;
	/** The text for one frame (with the file's header before the first). */
	frame(frame: CanFrame): string;
	/** What ends the file; "" when nothing was written. */
	end(): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, "0"));

function dataHex(frame: CanFrame, separator: string): string {
	let text = "";
	for (let i = 0; i < frame.dlc; i++)
		text += (i ? separator : "") + HEX[frame.data[i]];
	return text;
}

/** SocketCAN's CAN_ERR_BUSERROR: the error class given to an error frame that came without one. */
const CAN_ERR_BUSERROR = 0x80;

/**
 * candump -l: `(1700000000.000100) can0 1C4#E02E32C800010000`, through the
 * device's own formatter. An error frame read from a format that gives no
 * error class (ASC, TRC) is written as a bus error (`20000080#`), as
 * python-can writes one: its reader takes no other class for an error frame.
 */
export class CandumpLogWriter implements LogWriter {
	readonly format = "candump";
	skipped = 0;
	clamped = 0;
	private readonly scratch = new CanFrame();
	constructor(private readonly channel = "can0") {}

	frame(frame: CanFrame): string {
		if (frame.error && frame.id === 0) {
			this.scratch.copyFrom(frame);
			this.scratch.id = CAN_ERR_BUSERROR;
			frame = this.scratch;
		}
		return formatCandumpLine(frame, this.channel) + "\n";
	}

	end(): string {
		return "";
	}
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Tue Nov 14 10:13:20.000 pm 2023` in local time, as CANoe and python-can write ASC dates. */
export function formatAscDate(ms: number): string {
	const date = new Date(ms);
	const hour = date.getHours() % 12 || 12;
	const two = (n: number) => String(n).padStart(2, "0");
	return `${WEEKDAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${two(date.getDate())} ${two(hour)}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, "0")} ${date.getHours() < 12 ? "am" : "pm"} ${date.getFullYear()}`;
}

/** Base for the writers whose times are offsets from a start on the millisecond (ASC, TRC). */
abstract class OffsetLogWriter implements LogWriter {
	abstract readonly format: LogFormat;
	skipped = 0;
	clamped = 0;
	/** Epoch ms of the start: the first frame's time, down to the millisecond. */
	protected start = NaN;

	protected abstract header(): string;
	protected abstract line(frame: CanFrame, offsetMs: number): string;
	abstract end(): string;

	frame(frame: CanFrame): string {
		let head = "";
		if (this.start !== this.start) {
			this.start = Math.floor(frame.timestamp);
			head = this.header();
		}
		let offset = frame.timestamp - this.start;
		if (offset < 0) {
			offset = 0;
			this.clamped++;
		}
		return head + this.line(frame, offset);
	}
}

/** Vector ASC, hex, absolute times (from the trigger block's start), as python-can's ASCWriter lays it out. */
export class AscLogWriter extends OffsetLogWriter {
	readonly format = "asc";

	protected header(): string {
		const date = formatAscDate(this.start);
		return `date ${date}\nbase hex  timestamps absolute\ninternal events logged\n// version 9.0.0\nBegin Triggerblock ${date}\n${seconds(0)} Start of measurement\n`;
	}

	protected line(frame: CanFrame, offsetMs: number): string {
		if (frame.error)
			return `${seconds(offsetMs)} 1  ErrorFrame\n`;
		const id = (frame.id.toString(16).toUpperCase() + (frame.extended ? "x" : "")).padEnd(15);
		if (frame.remote)
			return `${seconds(offsetMs)} 1  ${id} Rx   r ${frame.dlc.toString(16)}\n`;
		const data = dataHex(frame, " ");
		return `${seconds(offsetMs)} 1  ${id} Rx   d ${frame.dlc.toString(16)}${data ? " " + data : ""}\n`;
	}

	end(): string {
		return this.start === this.start ? "End TriggerBlock\n" : "";
	}
}

/** ASC's time column: seconds with 6 decimals, right-aligned in 11 columns as CANoe writes it. */
function seconds(ms: number): string {
	return (ms / 1000).toFixed(6).padStart(11);
}

/** Days from 1899-12-30 (the OLE automation epoch) to 1970-01-01. */
const OLE_EPOCH_DAYS = 25569;
const DAY_MS = 86400000;

/** PEAK TRC 2.1 (data, remote and error frames), as PCAN-View lays it out. */
export class TrcLogWriter extends OffsetLogWriter {
	readonly format = "trc";
	private number = 0;

	protected header(): string {
		const start = new Date(this.start);
		const two = (n: number) => String(n).padStart(2, "0");
		const startText = `${two(start.getUTCDate())}.${two(start.getUTCMonth() + 1)}.${start.getUTCFullYear()} ${two(start.getUTCHours())}:${two(start.getUTCMinutes())}:${two(start.getUTCSeconds())}.${String(start.getUTCMilliseconds()).padStart(3, "0")}.0`;
		return [
			";$FILEVERSION=2.1",
			`;$STARTTIME=${(this.start / DAY_MS + OLE_EPOCH_DAYS).toFixed(10)}`,
			";$COLUMNS=N,O,T,B,I,d,R,L,D",
			";",
			`;   Start time: ${startText} (UTC)`,
			";   Generated by xs-cluster convert",
			";-------------------------------------------------------------------------------",
			";   Bus   Name            Connection               Protocol",
			";   1     N/A             N/A                      CAN",
			";-------------------------------------------------------------------------------",
			";   Message   Time    Type    ID     Rx/Tx",
			";   Number    Offset  |  Bus  [hex]  |  Reserved",
			";   |         [ms]    |  |    |      |  |  Data Length Code",
			";   |         |       |  |    |      |  |  |    Data [hex] ...",
			";   |         |       |  |    |      |  |  |    |",
			";---+-- ------+------ +- +- --+----- +- +- +--- +- -- -- -- -- -- -- --",
			"",
		].join("\n");
	}

	protected line(frame: CanFrame, offsetMs: number): string {
		const number = String(++this.number).padStart(7);
		const time = offsetMs.toFixed(3).padStart(13);
		if (frame.error)
			return `${number} ${time} ER 1        - Rx -  0\n`;
		const id = frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 4, "0").padStart(9);
		if (frame.remote)
			return `${number} ${time} RR 1 ${id} Rx -  ${frame.dlc}\n`;
		const data = dataHex(frame, " ");
		return `${number} ${time} DT 1 ${id} Rx -  ${String(frame.dlc).padEnd(4)}${data ? " " + data : ""}`.trimEnd() + "\n";
	}

	end(): string {
		return "";
	}
}

/** SavvyCAN's GVRET CSV: microsecond times, ids as 0x and 8 digits, eight data columns. No remote or error frames. */
export class GvretCsvLogWriter implements LogWriter {
	readonly format = "gvret-csv";
	skipped = 0;
	clamped = 0;
	private started = false;

	frame(frame: CanFrame): string {
		if (frame.remote || frame.error) {
			this.skipped++;
			return "";
		}
		let text = "";
		if (!this.started) {
			text = "Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n";
			this.started = true;
		}
		let cells = "";
		for (let i = 0; i < 8; i++)
			cells += (i < frame.dlc ? HEX[frame.data[i]] : "") + ",";
		return text + `${Math.round(frame.timestamp * 1000)},0x${frame.id.toString(16).toUpperCase().padStart(8, "0")},${frame.extended},Rx,0,${frame.dlc},${cells}\n`;
	}

	end(): string {
		return "";
	}
}

/** A fresh writer for `format`; `channel` names the interface in a candump log. */
export function createLogWriter(format: LogFormat, channel?: string): LogWriter {
	switch (format) {
		case "candump": return new CandumpLogWriter(channel);
		case "asc": return new AscLogWriter();
		case "trc": return new TrcLogWriter();
		case "gvret-csv": return new GvretCsvLogWriter();
	}
}
