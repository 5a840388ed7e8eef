/*
 * Reading the JSON files people write by hand (vehicle profiles): with
 * comments and trailing commas accepted, and a mistake named as
 * FILE:LINE:COL, through Microsoft's jsonc-parser (the parser of VS Code's
 * settings files) rather than one of our own. Node only; allocates.
 */
import { readFileSync } from "node:fs";
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { InputError, cannotRead, checkInputPath } from "./usage.js";

/** A JSON file that does not parse: the message is `FILE:LINE:COL: why`. Exit status 1. */
export class JsonInputError extends InputError {
	constructor(message: string) {
		super(message);
		this.name = "JsonInputError";
	}
}

const WHY: Record<string, string> = {
	InvalidSymbol: "unexpected character",
	InvalidNumberFormat: "malformed number",
	PropertyNameExpected: "expected a property name in double quotes",
	ValueExpected: "expected a value",
	ColonExpected: "expected ':'",
	CommaExpected: "expected ',' (or a closing bracket)",
	CloseBraceExpected: "expected '}'",
	CloseBracketExpected: "expected ']'",
	EndOfFileExpected: "expected the end of the file after the value",
	InvalidCommentToken: "malformed comment",
	UnexpectedEndOfComment: "comment not closed",
	UnexpectedEndOfString: "string not closed",
	UnexpectedEndOfNumber: "number cut short",
	InvalidUnicode: "malformed \\u escape",
	InvalidEscapeCharacter: "invalid escape in a string",
	InvalidCharacter: "control character in a string",
};

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; col: number } {
	let line = 1, start = 0;
	for (let i = 0; i < offset && i < text.length; i++)
		if (text.charCodeAt(i) === 0x0A) {
			line++;
			start = i + 1;
		}
	return { line, col: offset - start + 1 };
}

/**
 * Parses `text` (JSON with comments and trailing commas) read from `path`.
 * @throws JsonInputError `PATH:LINE:COL: why` at the first mistake.
 */
export function parseJsonText(text: string, path: string): unknown {
	const errors: ParseError[] = [];
	const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
	if (errors.length) {
		const first = errors[0];
		const { line, col } = lineAndColumn(text, first.offset);
		const code = printParseErrorCode(first.error);
		throw new JsonInputError(`${path}:${line}:${col}: not valid JSON: ${WHY[code] ?? code}`);
	}
	return value;
}

/**
 * Reads and parses a JSON file.
 * @throws Error `cannot read PATH: why`, or JsonInputError `PATH:LINE:COL: why`.
 */
export function readJsonFile(path: string): unknown {
	checkInputPath(path);
	let text: string;
	try {
		text = readFileSync(path, "utf8");
	}
	catch (error) {
		throw cannotRead(path, error);
	}
	return parseJsonText(text.replace(/^\uFEFF/, ""), path);
}
