/*
 * PEAK TRC logs (PCAN-View, PCAN-Explorer, python-can's TRCWriter) for the
 * command line, versions 1.0 to 2.1. Node only; allocates per line (see
 * text-log.ts).
 *
 * Header lines start with ';'. `;$FILEVERSION=x.y` picks the layout,
 * `;$STARTTIME=D` is the start in days since 1899-12-30 (fraction = time of
 * day, UTC here, rounded to the millisecond), `;$COLUMNS=N,O,T,B,I,d,R,L,D`
 * (2.x) names the columns.
 * Frame lines (times are ms offsets from the start):
 *   1.0   `   1)      1841  0001  8  00 11 22 33 44 55 66 77`    (or `RTR` for data)
 *   1.1   `   1)      1841.0  Rx  0001  8  00 11 ...`
 *   1.2   `   1)      1841.000 1  Rx  0001  8  00 11 ...`            (bus column)
 *   1.3   `   1)      1841.000 1  Rx  0001 -  8  00 11 ...`          (reserved column)
 *   2.x   `      1      1841.000 DT 1 0001 Rx -  8  00 11 ...`      (by $COLUMNS)
 * An id of more than 4 hex digits is extended. 2.x types: DT data, RR remote,
 * ER error frame; FD, FB, FE, BI (CAN FD) are skipped as unsupported; ST,
 * EC, EV and the like, and 1.x `Warng`/`Error` status lines, are ignored.
 * Without `$FILEVERSION` the layout is guessed from the line (1.0 or 1.1).
 * Without `$COLUMNS`, 2.0 uses PEAK's documented `N,O,T,I,d,l,D` and 2.1
 * `N,O,T,B,I,d,R,L,D`.
 */
import { FrameFlag } from "../../modules/can/frame.js";
import { MalformedLine, TextLogReader, decimalField, fields, hexField, timeField } from "./text-log.js";

/** Days from 1899-12-30 (the OLE automation epoch) to 1970-01-01. */
const OLE_EPOCH_DAYS = 25569;
const DAY_MS = 86400000;

export class TrcLogReader extends TextLogReader {
	readonly format = "trc";
	/** "1.0" ... "2.1", or "" until known. */
	version = "";
	/** Epoch ms of `$STARTTIME`, 0 without one. */
	private start = 0;
	private columns: string[] | null = null;

	protected parseLine(text: string): void {
		const trimmed = text.trim();
		if (trimmed === "" ) {
			this.ignore();
			return;
		}
		if (trimmed.startsWith(";")) {
			this.header(trimmed);
			this.ignore();
			return;
		}
		const tokens = fields(trimmed);
		if (this.version.startsWith("2"))
			this.lineV2(tokens);
		else
			this.lineV1(tokens);
	}

	private header(line: string): void {
		const match = /^;\$(\w+)=(.*)$/.exec(line);
		if (!match)
			return;
		const [, key, value] = match;
		if (key === "FILEVERSION") {
			if (!/^[12]\.[0-3]$/.test(value.trim()))
				throw new MalformedLine(`TRC file version '${value.trim()}' is not one of 1.0 to 2.1`);
			this.version = value.trim();
		}
		else if (key === "STARTTIME") {
			const days = Number(value.trim());
			if (!Number.isFinite(days))
				throw new MalformedLine(`STARTTIME '${value.trim()}' is not a number of days`);
			// PEAK tools take the start to the millisecond (the header's "Start time"
			// line); the 10 decimals of days only encode that, to about 9 µs.
			this.start = Math.round((days - OLE_EPOCH_DAYS) * DAY_MS);
		}
		else if (key === "COLUMNS")
			this.columns = value.trim().split(",").map(column => column.trim());
	}

	private lineV1(tokens: string[]): void {
		if (!/^\d+\)$/.test(tokens[0]))
			throw new MalformedLine(`expected a message number like '1)', not '${tokens[0]}'`);
		let version = this.version;
		if (version === "")
			version = tokens[2] === "Rx" || tokens[2] === "Tx" ? "1.1" : (tokens.length > 3 && /^(Rx|Tx|Warng|Error)$/.test(tokens[3]) ? "1.2" : "1.0");
		const time = this.start + timeField(tokens[1], "time offset");
		let at = 2;
		if (version !== "1.0") {
			if (version !== "1.1")
				at++; // bus
			const type = tokens[at++];
			if (type !== "Rx" && type !== "Tx") {
				this.ignore(); // Warng, Error: status lines
				return;
			}
		}
		const idText = tokens[at++];
		if (idText === "FFFFFFFF") {
			this.ignore(); // 1.0 bus information line
			return;
		}
		if (version === "1.3")
			at++; // reserved
		this.frame(idText, tokens[at], tokens, at + 1, 0, time, false);
	}

	private lineV2(tokens: string[]): void {
		const columns = this.columns ?? (this.version === "2.0" ? ["N", "O", "T", "I", "d", "l", "D"] : ["N", "O", "T", "B", "I", "d", "R", "L", "D"]);
		const column = (name: string) => columns.indexOf(name);
		const typeAt = column("T"), timeAt = column("O"), idAt = column("I"), dataAt = column("D");
		if (typeAt < 0 || timeAt < 0 || idAt < 0 || dataAt < 0)
			throw new MalformedLine("$COLUMNS lacks one of O, T, I, D");
		const type = tokens[typeAt];
		if (type === "FD" || type === "FB" || type === "FE" || type === "BI") {
			this.skipUnsupported();
			return;
		}
		if (type !== "DT" && type !== "RR" && type !== "ER") {
			if (type === undefined || !/^[A-Z]{2}$/.test(type))
				throw new MalformedLine(`message type '${type ?? ""}' is not a TRC type`);
			this.ignore(); // ST, EC, EV, ...: status and events
			return;
		}
		const time = this.start + timeField(tokens[timeAt], "time offset");
		if (type === "ER") {
			this.pushFrame(0, FrameFlag.error, 0, 0, time);
			return;
		}
		const lengthAt = column("L") >= 0 ? column("L") : column("l");
		if (lengthAt < 0)
			throw new MalformedLine("$COLUMNS has neither L (DLC) nor l (data length)");
		this.frame(tokens[idAt], tokens[lengthAt], tokens, dataAt, 0, time, type === "RR");
	}

	/** Pushes a data or remote frame from its id, DLC and data tokens. */
	private frame(idText: string | undefined, dlcText: string | undefined, tokens: string[], dataAt: number, flags: number, time: number, remote: boolean): void {
		const id = hexField(idText, "id", 0x1FFFFFFF);
		if (idText!.length > 4)
			flags |= FrameFlag.extended;
		else if (id > 0x7FF)
			throw new MalformedLine(`standard id '${idText}' is above 7FF`);
		const dlc = decimalField(dlcText, "DLC", 15);
		if (dlc > 8) {
			this.skipUnsupported();
			return;
		}
		if (remote || tokens[dataAt] === "RTR") {
			this.pushFrame(id, flags | FrameFlag.remote, dlc, 0, time);
			return;
		}
		for (let b = 0; b < dlc; b++) {
			const byte = tokens[dataAt + b];
			if (byte === undefined || !/^[0-9A-Fa-f]{2}$/.test(byte))
				throw new MalformedLine(byte === undefined ? `DLC ${dlc} but only ${b} data bytes` : `data byte '${byte}' is not two hex digits`);
			this.data[b] = parseInt(byte, 16);
		}
		this.pushFrame(id, flags, dlc, dlc, time);
	}
}
