/*
 * candump logs for the command line: both what `candump -l` / `-L` write
 * (`(1579857014.345944) can0 123#1122`) and what candump prints on screen
 * (`  can0  123   [2]  11 22`), line by line, so a log pasted from a
 * terminal reads as well as a log file. Node only; allocates per line (see
 * text-log.ts).
 *
 * `-l` lines go through modules/can/candump.ts's CandumpParser, the one
 * parser of that form (the device replays the same lines). Screen lines:
 *   [(TIME)] IFACE [-x fields] ID [DLC] BYTES... ['ASCII'] [ERRORFRAME ...]
 *   [(TIME)] IFACE ID [DLC] remote request
 * TIME is `-t a` / `-t z` / `-t d` seconds (`(1579857014.345944)`, taken as
 * given: a `-t d` log has deltas and cannot be told apart) or `-t A` local
 * date and time (`(2020-01-24 10:10:14.345944)`). An 8-digit ID is extended;
 * with CAN_ERR_FLAG (0x20000000) it is an error frame. `[DLC]` above 8
 * (`[16]`, CAN FD) is skipped and counted as unsupported.
 */
import { CandumpParser } from "../../modules/can/candump.js";
import { FrameFlag } from "../../modules/can/frame.js";
import type { FrameRing } from "../../modules/can/ring.js";
import { MalformedLine, TextLogReader, fields, hexField } from "./text-log.js";

const ERROR_FLAG = 0x20000000;
const LEFT_BRACKET = 0x5B;
const NEWLINE = Uint8Array.of(0x0A);
const SCREEN_LINE = /\[\d+\]/;
const LOCAL_TIME = /^\s*\((\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?\)(.*)$/;

export class CandumpLogReader extends TextLogReader {
	readonly format = "candump";
	/** The device's parser, fed one line at a time so its verdict is known per line. */
	private readonly logParser: CandumpParser;

	constructor(ring: FrameRing) {
		super(ring);
		this.logParser = new CandumpParser(ring);
	}

	/**
	 * The usual line, a `-l` frame line, is read by the device's parser in
	 * place in the chunk, before even its end is looked for (a million-frame
	 * log is a million lines); any other line goes the general way.
	 */
	protected override lineIn(bytes: Uint8Array, start: number, end: number): number {
		const at = this.logParser.frameIn(bytes, start, end);
		if (at >= 0) {
			this.lines++;
			this.frameRead();
			return at;
		}
		return super.lineIn(bytes, start, end);
	}

	/** Counts the frame the device's parser pushed; its time is in the ring's newest slot. */
	private frameRead(): void {
		this.frames++;
		const ring = this.ring.storage();
		this.clock.step(ring.timestamps[(ring.head + ring.count - 1) & (ring.capacity - 1)], this.lines);
	}

	/** `-l` lines (no '[') go to the device's parser as bytes: no string per line. */
	protected override parseLineBytes(line: Uint8Array, length: number): boolean {
		for (let i = 0; i < length; i++)
			if (line[i] === LEFT_BRACKET)
				return false;
		const parser = this.logParser;
		const frames = parser.frames, ignored = parser.ignored, unsupported = parser.unsupported;
		parser.feed(line, 0, length);
		parser.feed(NEWLINE, 0, 1);
		if (parser.frames !== frames)
			this.frameRead();
		else if (parser.ignored !== ignored)
			this.ignore();
		else if (parser.unsupported !== unsupported)
			this.skipUnsupported();
		else
			throw new MalformedLine(length > 128 ? "line longer than candump's 128 bytes" : "not a candump frame line");
		return true;
	}

	protected parseLine(text: string): void {
		if (SCREEN_LINE.test(text) && !text.includes("#")) {
			this.screenLine(text);
			return;
		}
		throw new MalformedLine("not a candump frame line");
	}

	private screenLine(text: string): void {
		let time = 0, rest = text;
		const local = LOCAL_TIME.exec(text);
		if (local) {
			const [, y, mo, d, h, mi, s, fraction] = local;
			time = new Date(+y, +mo - 1, +d, +h, +mi, +s).getTime() + (fraction ? Number(fraction) * 1000 : 0);
			rest = local[8];
		}
		const tokens = fields(rest);
		let at = 0;
		if (!local && tokens[0]?.startsWith("(")) {
			const stamp = /^\((\d+)(\.\d+)?\)$/.exec(tokens[0]);
			if (!stamp)
				throw new MalformedLine(`timestamp '${tokens[0]}' is not (seconds.fraction)`);
			time = Number(stamp[1]) * 1000 + (stamp[2] ? Number(stamp[2]) * 1000 : 0);
			at = 1;
		}
		const dlcAt = tokens.findIndex(token => /^\[\d+\]$/.test(token));
		if (dlcAt < at + 2)
			throw new MalformedLine("expected INTERFACE ID [DLC] before the data");
		const dlc = Number(tokens[dlcAt].slice(1, -1));
		if (dlc > 8) {
			this.skipUnsupported();
			return;
		}
		const idText = tokens[dlcAt - 1];
		let id = hexField(idText, "id", 0x3FFFFFFF), flags = 0;
		if (idText.length === 8) {
			if (id >= ERROR_FLAG) {
				flags = FrameFlag.error;
				id -= ERROR_FLAG;
			}
			else
				flags = FrameFlag.extended;
		}
		else if (idText.length !== 3 || id > 0x7FF)
			throw new MalformedLine(`id '${idText}' is neither 3 (standard) nor 8 (extended) hex digits`);
		let i = dlcAt + 1;
		if (tokens[i] === "remote" && tokens[i + 1] === "request") {
			this.pushFrame(id, flags | FrameFlag.remote, dlc, 0, time);
			return;
		}
		for (let b = 0; b < dlc; b++, i++) {
			const byte = tokens[i];
			if (byte === undefined || !/^[0-9A-Fa-f]{2}$/.test(byte))
				throw new MalformedLine(byte === undefined ? `[${dlc}] but only ${b} data bytes` : `data byte '${byte}' is not two hex digits`);
			this.data[b] = parseInt(byte, 16);
		}
		// What candump may print after the bytes: -a's ASCII column, -e's error text.
		if (i < tokens.length && !tokens[i].startsWith("'") && tokens[i] !== "ERRORFRAME")
			throw new MalformedLine(`unexpected '${tokens[i]}' after ${dlc} data bytes`);
		this.pushFrame(id, flags, dlc, dlc, time);
	}
}
