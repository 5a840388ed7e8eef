/*
 * `xs-cluster dbc dump FILE.dbc`: what a DBC describes, for a person, in the
 * shape of `cantools dump` (src/cantools/subparsers/dump in cantools): per
 * message its name, id, length, cycle time and senders, a picture of its bits
 * (each signal an arrow from its least significant bit `x` to its most
 * significant `<`, overlaps as `X`, names under the byte of the MSB), the
 * signal tree (multiplexers and what each value selects) and the value
 * tables; and, as `cantools list` gives them, each signal's start bit,
 * length, byte order, type, scale, offset, range, unit and receivers. The
 * picture and the tree are cantools' own algorithm, ported, so the two tools
 * draw the same message the same way. Node only; allocates freely.
 */
import type { DbcDatabase, DbcMessage, DbcSignal } from "../modules/dbc/database.js";
import type { Io } from "./cli.js";
import { DBC_OPTIONS, loadDbc } from "./dbc-file.js";
import { globPattern } from "./decode.js";
import { formatCanId, onePositional, parseOptions, plural } from "./usage.js";

const RULE = "  " + "-".repeat(72);
const GRID = "+---+---+---+---+---+---+---+---+";

/** A signal's start bit counted from the message's first bit in the order the picture draws (cantools' start_bit). */
function linearStart(signal: DbcSignal): number {
	return signal.byteOrder === "big_endian" ? 8 * Math.floor(signal.startBit / 8) + (7 - (signal.startBit % 8)) : signal.startBit;
}

/** Signals as cantools orders them: by linear start bit, file order among equals. */
export function sortedSignals(message: DbcMessage): DbcSignal[] {
	return message.signals.map((signal, i) => ({ signal, i })).sort((a, b) => linearStart(a.signal) - linearStart(b.signal) || a.i - b.i).map(entry => entry.signal);
}

/** The bit-layout picture of `message`, cantools' layout_string. */
export function layoutLines(message: DbcMessage): string[] {
	const signals = sortedSignals(message);

	// One row of characters per signal, 3 per bit, bit 0 of byte 0 first.
	let rows: string[] = [];
	for (const signal of signals) {
		if (signal.byteOrder !== "big_endian")
			continue;
		rows.push("   ".repeat(linearStart(signal)) + "<" + "-".repeat(3 * signal.length - 2) + "x");
	}
	for (const signal of signals) {
		if (signal.byteOrder !== "little_endian")
			continue;
		let text = "   ".repeat(signal.startBit) + "x" + "-".repeat(3 * signal.length - 2) + "<";
		const end = signal.startBit + signal.length;
		if (end % 8 !== 0)
			text += "   ".repeat(8 - (end % 8));
		let reversed = "";
		for (let i = 0; i < text.length; i += 24)
			reversed += [...text.slice(i, i + 24)].reverse().join("");
		rows.push(reversed);
	}
	if (rows.length) {
		let width = Math.max(...rows.map(row => row.length));
		if (width % 24 !== 0)
			width += 24 - (width % 24);
		rows = rows.map(row => row.padEnd(width));
	}
	let union = "";
	const width = rows.length ? rows[0].length : 0;
	for (let c = 0; c < width; c++) {
		let head = 0, dash = 0, tail = 0;
		for (const row of rows) {
			const ch = row[c];
			if (ch === "<")
				head++;
			else if (ch === "-")
				dash++;
			else if (ch === "x")
				tail++;
		}
		union += head + dash + tail > 1 ? "X" : head === 1 ? "<" : dash === 1 ? "-" : tail === 1 ? "x" : " ";
	}
	const byteRows: string[] = [];
	for (let i = 0; i < union.length; i += 24)
		byteRows.push(union.slice(i, i + 24));
	while (byteRows.length < message.length)
		byteRows.push(" ".repeat(24));

	// Bit separators: a bar between bits unless an arrow runs through.
	const drawn: string[] = [];
	for (const row of byteRows) {
		let line = "", previous = "";
		for (let i = 0; i < 24; i += 3) {
			const triple = row.slice(i, i + 3);
			if (i === 0 || " <>x".includes(triple[0]))
				line += "|";
			else if (triple[0] === "X")
				line += previous === "X" ? "X" : previous === "-" ? "-" : "|";
			else
				line += "-";
			line += triple;
			previous = triple[2];
		}
		drawn.push(line + "|");
	}
	const numberWidth = String(drawn.length).length + 4;
	const padding = " ".repeat(numberWidth);
	const numbered = drawn.map((line, n) => `${String(n).padStart(numberWidth - 1)} ${line}`);
	const withGrid: string[] = [];
	for (const line of numbered)
		withGrid.push(line, padding + GRID);

	// Signal names under the byte that holds each one's most significant bit.
	const namesPerByte: Array<Array<[number, string]>> = drawn.map(() => []);
	for (const signal of signals) {
		const offset = linearStart(signal) + signal.length - 1;
		const nameBit = signal.byteOrder === "big_endian" ? 8 * Math.floor(offset / 8) + (7 - (offset % 8)) : offset;
		const byte = Math.floor(nameBit / 8);
		if (byte < namesPerByte.length)
			namesPerByte[byte].push([nameBit % 8, "+-- " + signal.name]);
	}
	let lines: string[] = [];
	for (let n = 0; n < drawn.length; n++) {
		lines.push(...withGrid.slice(2 * n, 2 * n + 2));
		const names = namesPerByte[n].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
		if (!names.length)
			continue;
		for (const [bit, name] of names) {
			const chars = [..."    ".repeat(7 - bit) + padding + "  " + name];
			for (const [otherBit] of names)
				if (otherBit > bit)
					chars[numberWidth + 2 + 4 * (7 - otherBit)] = "|";
			lines.push(chars.join(""));
		}
		if (n + 1 < drawn.length)
			lines.push(padding + GRID);
	}
	lines = [padding + "               Bit", padding, padding + "  7   6   5   4   3   2   1   0", padding + GRID, ...lines];

	// "Byte" down the left side, about the middle.
	const matrix = lines.length - 3;
	if (matrix < 5)
		for (let i = matrix; i < 5; i++)
			lines.push("     ");
	const start = Math.max(4, 4 + (Math.floor((matrix - 4) / 2) - 1));
	const axis = [...Array(start).fill("  "), " B", " y", " t", " e"];
	while (axis.length < lines.length)
		axis.push("  ");
	return lines.map((line, i) => (axis[i] + line).trimEnd());
}

/** A signal tree node: a signal, and for a multiplexer the signals each of its values selects. */
interface TreeNode {
	signal: DbcSignal;
	values: Array<{ label: string; children: TreeNode[] }>;
}

/** The multiplexing structure of `message`, as cantools' signal_tree. */
export function signalTree(message: DbcMessage): TreeNode[] {
	const signals = sortedSignals(message);
	const build = (parent: string | null, value: number | null): TreeNode[] => signals
		.filter(signal => parent === null ? signal.multiplexerSignal === null : signal.multiplexerSignal === parent && signal.multiplexerRanges.some(([low, high]) => value! >= low && value! <= high))
		.map(signal => {
			if (!signal.isMultiplexer)
				return { signal, values: [] };
			const selected = new Set<number>();
			for (const other of signals)
				if (other.multiplexerSignal === signal.name)
					for (const [low, high] of other.multiplexerRanges)
						for (let v = low; v <= high && v - low < 4096; v++)
							selected.add(v);
			const values = [...selected].sort((a, b) => a - b).map(v => {
				const name = signal.choices?.get(v);
				return { label: name !== undefined ? `${name} (${v})` : String(v), children: build(signal.name, v) };
			});
			return { signal, values };
		});
	return build(null, null);
}

/** The tree as cantools draws it: `-- {root}` and `+-- ` branches. */
export function treeLines(message: DbcMessage): string[] {
	const prefix = (index: number, count: number) => index < count - 1 ? "|   " : "    ";
	const level = (nodes: TreeNode[]): string[] => {
		const lines: string[] = [];
		nodes.forEach((node, index) => {
			lines.push("+-- " + node.signal.name);
			const sub: string[] = [];
			node.values.forEach((value, v) => {
				sub.push("+-- " + value.label);
				sub.push(...level(value.children).map(line => prefix(v, node.values.length) + line));
			});
			lines.push(...sub.map(line => prefix(index, nodes.length) + line));
		});
		return lines;
	};
	return ["-- {root}", ...level(signalTree(message)).map(line => "   " + line)];
}

function type(signal: DbcSignal): string {
	return signal.valueType === "integer" ? (signal.signed ? "signed" : "unsigned") : signal.valueType;
}

/** How a signal takes part in multiplexing: `switch`, `MUX=1,3..5`, or "". */
function multiplexing(signal: DbcSignal): string {
	const parts: string[] = [];
	if (signal.isMultiplexer)
		parts.push("switch");
	if (signal.multiplexerSignal !== null)
		parts.push(`${signal.multiplexerSignal}=${signal.multiplexerRanges.map(([low, high]) => low === high ? String(low) : `${low}..${high}`).join(",")}`);
	return parts.join(" ");
}

/** One row per signal: start bit, length, byte order, type, scale, offset, range, unit, receivers, multiplexing. */
export function signalTable(message: DbcMessage): string[] {
	const header = ["Name", "Start", "Length", "Order", "Type", "Scale", "Offset", "Minimum", "Maximum", "Unit", "Receivers", "Multiplexing"];
	const rows = sortedSignals(message).map(signal => [
		signal.name,
		String(signal.startBit),
		String(signal.length),
		signal.byteOrder === "big_endian" ? "big" : "little",
		type(signal),
		String(signal.factor),
		String(signal.offset),
		String(signal.minimum),
		String(signal.maximum),
		signal.unit || "-",
		signal.receivers.length ? signal.receivers.join(",") : "-",
		multiplexing(signal) || "-",
	]);
	const widths = header.map((title, c) => Math.max(title.length, ...rows.map(row => row[c].length)));
	const numeric = new Set([1, 2, 5, 6, 7, 8]);
	const line = (cells: string[]) => cells.map((cell, c) => numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join("  ").trimEnd();
	return [line(header), ...rows.map(line)];
}

/** Value tables, as cantools prints its signal choices. */
export function choiceLines(message: DbcMessage): string[] {
	const lines: string[] = [];
	for (const signal of sortedSignals(message)) {
		if (!signal.choices || signal.choices.size === 0)
			continue;
		lines.push("", signal.name);
		for (const [value, text] of [...signal.choices.entries()].sort((a, b) => a[0] - b[0]))
			lines.push(`    ${value} ${text}`);
	}
	return lines;
}

/** The whole dump of one message, between rules. */
export function dumpMessage(message: DbcMessage): string {
	const lines = [
		"",
		`  Name:           ${message.name}`,
		`  Id:             ${formatCanId(message.id, message.extended)}${message.extended ? " (extended)" : ""}`,
		`  Length:         ${plural(message.length, "byte")}`,
		`  Cycle time:     ${message.cycleTime ?? "-"} ms`,
		`  Senders:        ${message.sender && message.sender !== "Vector__XXX" ? message.sender : "-"}`,
		"  Layout:",
		"",
		...layoutLines(message).map(line => ("    " + line).trimEnd()),
		"",
		"  Signal tree:",
		"",
		...treeLines(message).map(line => ("    " + line).trimEnd()),
		"",
	];
	if (message.signals.length)
		lines.push("  Signals:", "", ...signalTable(message).map(line => "    " + line), "");
	const choices = choiceLines(message);
	if (choices.length)
		lines.push("  Signal choices:", ...choices.map(line => ("    " + line).trimEnd()), "");
	lines.push(RULE);
	return lines.join("\n") + "\n";
}

/** `dbc dump`'s output for `messages` of `database`. */
export function dumpDatabase(database: DbcDatabase, messages = database.messages): string {
	let text = "================================= Messages =================================\n\n" + RULE + "\n";
	for (const message of messages)
		text += dumpMessage(message);
	return text;
}

/**
 * `xs-cluster dbc dump FILE.dbc [--messages NAME,...] [--strict] [--encoding E]`. Resolves to the exit
 * status: 0, or 1 for a DBC with problems or no message matching.
 */
export async function dumpCommand(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parseOptions(args, { ...DBC_OPTIONS, messages: { type: "string" } });
	const path = onePositional(positionals, "DBC file");
	const database = loadDbc(path, io, values);
	if (!database)
		return 1;
	let messages = database.messages;
	if (values.messages !== undefined) {
		const patterns = (values.messages as string).split(",").map(name => name.trim()).filter(Boolean);
		for (const pattern of patterns)
			if (!database.messages.some(message => globPattern(pattern).test(message.name)))
				throw new Error(`${path} has no message matching '${pattern}'`);
		messages = database.messages.filter(message => patterns.some(pattern => globPattern(pattern).test(message.name)));
	}
	await io.stdout(dumpDatabase(database, messages));
	return 0;
}
