/*
 * Vector ASC logs (CANoe, CANalyzer, python-can's ASCWriter) for the command
 * line. Node only; allocates per line (see text-log.ts).
 *
 * Header lines set how the rest reads:
 *   date Sun Nov 22 05:10:12.123 am 2026     start of the measurement (local time)
 *   base hex  timestamps absolute            ids and bytes in hex or dec; times
 *                                            from the start, or from the event before
 *   Begin Triggerblock Sun Nov 22 ...        restarts the clock at that date
 * Frame lines, classic CAN:
 *   <t> <ch> <id>[x] Rx|Tx d <dlc> <bytes...> [Length = ... BitCount = ... ID = ...]
 *   <t> <ch> <id>[x] Rx|Tx r [<dlc>]         remote frame
 *   <t> <ch> ErrorFrame ...                  error frame
 * `<t> CANFD ...` lines are skipped and counted as unsupported; `TxRq`
 * (transmit request) lines and every other event (statistics, chip status,
 * "Start of measurement", comments, `End TriggerBlock`) are ignored. A frame's time is the header date (epoch ms) plus
 * `<t>` seconds, or `<t>` alone when there is no parsable date.
 */
import { FrameFlag } from "../../modules/can/frame.js";
import { MalformedLine, TextLogReader, fields, timeField } from "./text-log.js";

const MONTHS: Record<string, number> = {
	jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
	// German CANoe installations write these.
	mär: 2, mai: 4, okt: 9, dez: 11,
};

/** `Sun Nov 22 05:10:12.123 am 2026` (weekday optional, am/pm optional) as local epoch ms, or NaN. */
export function parseAscDate(text: string): number {
	const match = /(?:^|\s)(\p{L}{3})\p{L}*\s+(\d{1,2})\s+(\d{1,2}):(\d\d):(\d\d)(?:\.(\d+))?\s*(am|pm)?\s+(\d{4})\s*$/iu.exec(text.trim());
	if (!match)
		return NaN;
	const [, monthName, day, hourText, minute, second, fraction, meridiem, year] = match;
	const month = MONTHS[monthName.toLowerCase()];
	if (month === undefined)
		return NaN;
	let hour = Number(hourText);
	if (meridiem) {
		hour %= 12;
		if (meridiem.toLowerCase() === "pm")
			hour += 12;
	}
	const ms = fraction ? Number(`0.${fraction}`) * 1000 : 0;
	return new Date(Number(year), month, Number(day), hour, Number(minute), Number(second)).getTime() + ms;
}

export class AscLogReader extends TextLogReader {
	readonly format = "asc";
	private base = 16;
	private relative = false;
	/** Epoch ms of the measurement start, 0 when the log has no date. */
	private start = 0;
	/** Time of the last event, for `timestamps relative`. */
	private last = 0;

	protected parseLine(text: string): void {
		const tokens = fields(text);
		if (tokens.length === 0 || tokens[0].startsWith("//")) {
			this.ignore();
			return;
		}
		const keyword = tokens[0].toLowerCase();
		if (keyword === "date") {
			const date = parseAscDate(tokens.slice(1).join(" "));
			if (Number.isFinite(date))
				this.start = date;
			this.ignore();
			return;
		}
		if (keyword === "base") {
			const base = tokens[1]?.toLowerCase();
			if (base !== "hex" && base !== "dec")
				throw new MalformedLine(`base must be hex or dec, not '${tokens[1] ?? ""}'`);
			this.base = base === "hex" ? 16 : 10;
			const stamps = tokens.findIndex(token => token.toLowerCase() === "timestamps");
			if (stamps > 0)
				this.relative = tokens[stamps + 1]?.toLowerCase() === "relative";
			this.ignore();
			return;
		}
		if (keyword === "begin" && tokens[1]?.toLowerCase() === "triggerblock") {
			const date = parseAscDate(tokens.slice(2).join(" "));
			if (Number.isFinite(date))
				this.start = date;
			this.last = 0;
			this.ignore();
			return;
		}
		if (!/^\d+\.\d+$/.test(tokens[0])) {
			this.ignore(); // header words, "End TriggerBlock", "internal events logged", ...
			return;
		}
		const channel = tokens[1] ?? "";
		if (channel.toUpperCase() === "CANFD") {
			this.skipUnsupported();
			return;
		}
		if (!/^\d+$/.test(channel)) {
			this.ignore(); // "CAN 1 Status:...", "J1939TP ...", "Start of measurement"
			return;
		}
		const what = tokens[2] ?? "";
		if (/^errorframe$/i.test(what)) {
			this.pushFrame(0, FrameFlag.error, 0, 0, this.time(tokens[0]));
			return;
		}
		const direction = tokens[3];
		if (direction === "TxRq") {
			this.ignore(); // a transmit request, not a frame on the bus
			return;
		}
		if (direction !== "Rx" && direction !== "Tx") {
			if (/^[0-9A-Fa-f]+x?$/.test(what) && tokens.length > 3)
				throw new MalformedLine(`direction must be Rx or Tx, not '${direction}'`);
			this.ignore(); // "1 Statistic: ..." and other channel events
			return;
		}
		const extended = /x$/i.test(what);
		const id = this.number(extended ? what.slice(0, -1) : what, "id");
		if (id > (extended ? 0x1FFFFFFF : 0x7FF))
			throw new MalformedLine(`id '${what}' is out of range`);
		const flags = extended ? FrameFlag.extended : 0;
		const kind = tokens[4];
		if (kind === "r" || kind === "R") {
			const dlc = tokens[5] !== undefined && /^[0-9A-Fa-f]$/.test(tokens[5]) ? parseInt(tokens[5], 16) : 0;
			if (dlc > 8)
				throw new MalformedLine(`remote DLC '${tokens[5]}' is above 8`);
			this.pushFrame(id, flags | FrameFlag.remote, dlc, 0, this.time(tokens[0]));
			return;
		}
		if (kind !== "d" && kind !== "D")
			throw new MalformedLine(`frame type must be d or r, not '${kind ?? ""}'`);
		const dlcText = tokens[5];
		if (dlcText === undefined || !/^[0-9A-Fa-f]$/.test(dlcText))
			throw new MalformedLine(`DLC '${dlcText ?? ""}' is not one digit`);
		const dlc = parseInt(dlcText, 16);
		if (dlc > 8) {
			this.skipUnsupported(); // classic line with an FD length code
			return;
		}
		for (let b = 0; b < dlc; b++) {
			const byte = tokens[6 + b];
			if (byte === undefined)
				throw new MalformedLine(`DLC ${dlc} but only ${b} data bytes`);
			this.data[b] = this.number(byte, "data byte", 0xFF);
		}
		this.pushFrame(id, flags, dlc, dlc, this.time(tokens[0]));
	}

	private number(text: string, what: string, max = 0xFFFFFFFF): number {
		const ok = this.base === 16 ? /^[0-9A-Fa-f]{1,8}$/.test(text) : /^\d{1,10}$/.test(text);
		if (!ok)
			throw new MalformedLine(`${what} '${text}' is not ${this.base === 16 ? "hex" : "decimal"}`);
		const value = parseInt(text, this.base);
		if (value > max)
			throw new MalformedLine(`${what} '${text}' is out of range`);
		return value;
	}

	private time(text: string): number {
		let seconds = timeField(text, "time");
		if (this.relative)
			seconds = this.last += seconds;
		return this.start + seconds * 1000;
	}
}
