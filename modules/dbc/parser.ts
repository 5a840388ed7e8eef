/*
 * DBC text parser: the text of a DBC file in, a `DbcDatabase` and the list of
 * problems found out.
 *
 * Host side: the Node command line (`xs-cluster dbc check`, `dbc compile`,
 * `decode`, `profile`) runs it; nothing here runs on the device. It is plain
 * TypeScript with no Node API so that the caller decides how bytes become text
 * (modules/dbc/encoding.ts).
 *
 * Semantics follow cantools (`src/cantools/database/can/formats/dbc.py`): the
 * same tokens (numbers like `1E-005`, strings with `\"`, `//` comments), the
 * same multiplexing rules, the same cycle time rules. Two levels:
 * - by default, what cantools loads without `strict` loads here: each thing it
 *   tolerates (a signal that does not fit its message, a loosely written
 *   multiplexer, a statement cut by the end of the file, ...) is a warning
 *   naming its place and saying what was done, and is read as cantools reads
 *   it; what neither could decode is left out, with a warning;
 * - with `strict`, those are problems, as cantools' `strict=True` has them.
 * Syntax errors, and whatever cantools cannot load either, are problems at
 * both levels. Values that make no sense for a cluster (an attribute outside
 * its declared range, a cycle time of days) are warnings at both, and ignored.
 *
 * Problems are collected, never thrown: after a syntax error the parser skips
 * to the next statement keyword that starts a line (or past the next `;`) and
 * carries on, so that one `check` run lists every problem in a file.
 */
import { MAX_CYCLE_TIME_MS } from "./compile.js";
import {
	DbcError,
	type Choices,
	type DbcDatabase,
	type DbcLocation,
	type DbcMessage,
	type DbcProblem,
	type DbcSignal,
} from "./database.js";

/** What `parseDbc` gives back. */
export interface DbcParseResult {
	/** Whatever could be read, even when there are problems. */
	database: DbcDatabase;
	/** Errors: syntax, files cantools would not load (with `strict`: as strict cantools). Sorted by position. */
	problems: DbcProblem[];
	/**
	 * What was tolerated and what was done about it: what cantools accepts
	 * silently (a CM_, VAL_ or BA_ about a message or signal that does not
	 * exist: real files carry comments of signals renamed long ago), what it
	 * accepts without `strict`, values ignored as nonsense. Sorted by position.
	 */
	warnings: DbcProblem[];
}

export interface DbcParseOptions {
	/**
	 * Refuse what cantools loads only without `strict` (a signal that does not
	 * fit its message, a loosely written multiplexer, a statement cut by the
	 * end of the file, ...): for people who write DBC files. Without it those
	 * are warnings that say what was done, and the file loads as cantools
	 * loads it.
	 */
	strict?: boolean;
}

/**
 * Parses the text of a DBC file. Runs on Node; allocates the whole result.
 * Never throws: every syntax and consistency error becomes a `DbcProblem`,
 * and the database holds whatever could be read.
 * @param file the name used in problems, e.g. `car.dbc`
 */
export function parseDbc(text: string, file: string, options: DbcParseOptions = {}): DbcParseResult {
	const parser = new Parser(String(text), file, options.strict === true);
	return parser.run();
}

/**
 * Parses the text of a DBC file and insists that it is clean. Runs on Node.
 * @throws DbcError carrying every problem found, when there is at least one
 */
export function parseDbcOrThrow(text: string, file: string, options: DbcParseOptions = {}): DbcDatabase {
	const { database, problems } = parseDbc(text, file, options);
	if (problems.length > 0)
		throw new DbcError(problems);
	return database;
}

/** Past this many problems the input is probably not a DBC file at all; the rest would be noise. */
const MAX_PROBLEMS = 100;

/** cantools drops this pseudo message, which holds signals not yet assigned to any message. */
const INDEPENDENT_SIGNALS_MESSAGE = "VECTOR__INDEPENDENT_SIG_MSG";
/** A number in quotes where an INT, HEX or FLOAT attribute is given, as Python's Decimal (cantools) reads it. */
const QUOTED_NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
/** The DBC name for "no node", used where a sender or receiver is required. */
const NO_NODE = "Vector__XXX";

const EXTENDED_FLAG = 0x80000000;
const EXTENDED_ID_MASK = 0x1FFFFFFF;
const STANDARD_ID_MAX = 0x7FF;
/** CAN FD frames carry up to 64 bytes. */
const MAX_MESSAGE_LENGTH = 64;
const MAX_SIGNAL_LENGTH = 64;

/** The keywords cantools knows; a word from this set never names a node or a receiver. */
const KEYWORDS = new Set([
	"BA_", "BA_DEF_", "BA_DEF_DEF_", "BA_DEF_DEF_REL_", "BA_DEF_REL_", "BA_DEF_SGTYPE_", "BA_REL_",
	"BA_SGTYPE_", "BO_", "BO_TX_BU_", "BS_", "BU_", "BU_BO_REL_", "BU_EV_REL_", "BU_SG_REL_", "CAT_",
	"CAT_DEF_", "CM_", "ENVVAR_DATA_", "EV_", "EV_DATA_", "FILTER", "NS_", "NS_DESC_", "SG_",
	"SG_MUL_VAL_", "SGTYPE_", "SGTYPE_VAL_", "SIG_GROUP_", "SIG_TYPE_REF_", "SIG_VALTYPE_",
	"SIGTYPE_VALTYPE_", "VAL_", "VAL_TABLE_", "VERSION",
]);

/** Statements the cluster has no use for: read up to their `;` and dropped. */
const SKIPPED_STATEMENTS = new Set([
	"BA_DEF_REL_", "BA_REL_", "BA_DEF_DEF_REL_", "BA_DEF_SGTYPE_", "BA_SGTYPE_", "BU_SG_REL_",
	"BU_EV_REL_", "BU_BO_REL_", "CAT_", "CAT_DEF_", "ENVVAR_DATA_", "EV_", "EV_DATA_", "FILTER",
	"NS_DESC_", "SGTYPE_", "SGTYPE_VAL_", "SIG_GROUP_", "SIG_TYPE_REF_", "SIGTYPE_VALTYPE_",
]);

/**
 * Vendor tools add their own statements, all spelled like DBC keywords
 * (capitals, ending in `_`); those are skipped quietly, while any other word
 * where a statement should start is an error.
 */
function isKeywordShaped(text: string): boolean {
	const n = text.length;
	if (n < 2 || text.charCodeAt(n - 1) !== 0x5F)
		return false;
	for (let i = 0; i < n; i++) {
		const c = text.charCodeAt(i);
		const upper = c >= 0x41 && c <= 0x5A;
		if (!(upper || c === 0x5F || (i > 0 && c >= 0x30 && c <= 0x39)))
			return false;
	}
	return true;
}

// ---------------------------------------------------------------------------
// Tokens

type TokenKind = "word" | "number" | "string" | "punct" | "eof";

interface Token {
	kind: TokenKind;
	/** As written; for a string, its contents with `\"` unescaped. */
	text: string;
	line: number;
	col: number;
	/** First token on its line: where statements start and where recovery may resume. */
	lineStart: boolean;
}

const PUNCTUATION = "()[],|@+-;:";

function isDigit(c: number): boolean {
	return c >= 0x30 && c <= 0x39;
}

function isWordChar(c: number): boolean {
	return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || isDigit(c) || c === 0x5F;
}

/** The rest of a word, a number and a comment, each from where it starts: sticky expressions run as compiled code even on a cold start, where a character loop would be interpreted. */
const WORD_END = /[A-Za-z0-9_]*/y;
/** cantools' NUMBER: `[-+]?\d+\.?\d*([eE][+-]?\d+)?`; whatever follows is another token. */
const NUMBER_END = /[-+]?\d+\.?\d*(?:[eE][-+]?\d+)?/y;
const COMMENT_END = /[^\n\r]*/y;

/**
 * Splits DBC text into tokens with 1-based line and column. Lexical errors
 * (a stray character, an unterminated string) are reported through `report`
 * and leave no token behind, so the parser sees the best reading of the rest.
 */
class Tokenizer {
	/** Set when a string ran to the end of the file: the parser then stays quiet about the missing end. */
	unterminatedString = false;

	private pos = 0;
	private line = 1;
	/** Where the current line starts: a column is the distance from it. */
	private lineBegin = 0;
	private lineStart = true;
	private readonly tokens: Token[] = [];

	constructor(
		private readonly text: string,
		private readonly report: (line: number, col: number, message: string) => void,
	) {}

	run(): Token[] {
		const text = this.text, length = text.length;
		let lastBad = -2;
		// A byte-order mark decoded along with the text is not part of it (modules/dbc/encoding.ts takes it off the bytes).
		if (text.charCodeAt(0) === 0xFEFF)
			this.pos = this.lineBegin = 1;
		while (this.pos < length) {
			const pos = this.pos, c = text.charCodeAt(pos);
			// Line ends as Python's universal newlines read them (cantools opens files in text mode):
			// LF, CRLF, and a lone CR.
			if (c === 0x0A || (c === 0x0D && text.charCodeAt(pos + 1) !== 0x0A)) {
				this.pos = this.lineBegin = pos + 1;
				this.line++;
				this.lineStart = true;
				continue;
			}
			if (c === 0x20 || c === 0x09 || c === 0x0D) {
				this.pos = pos + 1;
				continue;
			}
			const next = text.charCodeAt(pos + 1);
			if (c === 0x2F && next === 0x2F)
				this.pos = scanFrom(COMMENT_END, text, pos);
			else if (isDigit(c) || ((c === 0x2B || c === 0x2D) && isDigit(next)))
				this.push("number", scanFrom(NUMBER_END, text, pos));
			else if (isWordChar(c))
				this.push("word", scanFrom(WORD_END, text, pos));
			else if (c === 0x22)
				this.scanString();
			else if (PUNCTUATION.includes(text[pos]))
				this.push("punct", pos + 1);
			else {
				// A run of garbage (a binary file, a pasted symbol) is one problem, not one per byte.
				if (lastBad !== pos - 1)
					this.report(this.line, pos - this.lineBegin + 1, `unexpected character ${describeChar(c)}`);
				lastBad = pos;
				this.pos = pos + 1;
			}
		}
		this.tokens.push({ kind: "eof", text: "", line: this.line, col: this.pos - this.lineBegin + 1, lineStart: true });
		return this.tokens;
	}

	/** The token from `pos` up to `end`. */
	private push(kind: TokenKind, end: number): void {
		const pos = this.pos;
		this.tokens.push({ kind, text: this.text.slice(pos, end), line: this.line, col: pos - this.lineBegin + 1, lineStart: this.lineStart });
		this.lineStart = false;
		this.pos = end;
	}

	/**
	 * Strings may span lines, whose ends become `\n` as in cantools; `\"` is a
	 * quote inside the string, any other backslash is kept as is.
	 */
	private scanString(): void {
		const text = this.text;
		const line = this.line;
		const col = this.pos - this.lineBegin + 1;
		const lineStart = this.lineStart;
		let value = "";
		let from = this.pos + 1;
		let i = from;
		for (;;) {
			if (i >= text.length) {
				this.report(line, col, "unterminated string: no closing '\"' before the end of the file");
				this.unterminatedString = true;
				this.pos = text.length;
				return;
			}
			const c = text.charCodeAt(i);
			if (c === 0x22)
				break;
			if (c === 0x5C && text.charCodeAt(i + 1) === 0x22) {
				value += text.slice(from, i) + "\"";
				i += 2;
				from = i;
			} else if (c === 0x0A || c === 0x0D) {
				const crlf = c === 0x0D && text.charCodeAt(i + 1) === 0x0A;
				value += text.slice(from, i) + "\n";
				i += crlf ? 2 : 1;
				from = i;
				this.line++;
				this.lineBegin = i;
			} else
				i++;
		}
		value += text.slice(from, i);
		this.tokens.push({ kind: "string", text: value, line, col, lineStart });
		this.lineStart = false;
		this.pos = i + 1;
	}
}

/** Where the match of sticky `pattern` at `pos` in `text` ends (`pos` when it matches nothing). */
function scanFrom(pattern: RegExp, text: string, pos: number): number {
	pattern.lastIndex = pos;
	return pattern.test(text) ? pattern.lastIndex : pos;
}

function describeChar(c: number): string {
	if (c < 0x20 || c === 0x7F || (c >= 0x80 && c < 0xA0) || c > 0xFF)
		return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
	return `'${String.fromCharCode(c)}'`;
}

function describeToken(token: Token): string {
	switch (token.kind) {
		case "eof":
			return "end of file";
		case "string": {
			const shown = token.text.length > 24 ? `${token.text.slice(0, 24)}...` : token.text;
			return `string "${shown.replace(/\n/g, "\\n")}"`;
		}
		default:
			return `'${token.text}'`;
	}
}

// ---------------------------------------------------------------------------
// Parser

/** Thrown inside a statement to abandon it; caught by the statement loop, never by callers. */
class StatementError {
	constructor(readonly token: Token, readonly message: string) {}
}

/** Thrown when MAX_PROBLEMS is reached. */
class TooManyProblems {}

interface SignalEntry {
	signal: DbcSignal;
	nameToken: Token;
	startToken: Token;
	lengthToken: Token;
	factorToken: Token;
	/** N of `mN` or `mNM`, else null. */
	muxValue: number | null;
	muxToken: Token | null;
	/** A lone lower-case `m` (read only without strict): no value, not a switch. */
	looseM: boolean;
	valueTypeToken: Token | null;
	mulVal: MultiplexerValues | null;
	/** Not in the database: what cantools would not decode, or the plan cannot (a warning says which). */
	leftOut: boolean;
}

/** One `SG_MUL_VAL_` line. */
interface MultiplexerValues {
	keyword: Token;
	switchName: string;
	switchToken: Token;
	ranges: Array<[number, number]>;
}

interface MessageEntry {
	message: DbcMessage;
	/** The id as written, with bit 31 for extended frames: what CM_, VAL_ and BA_ refer to. */
	dbcId: number;
	idToken: Token;
	pseudo: boolean;
	/** Not in the database: a later BO_ with the same id replaced it (without strict). */
	replaced: boolean;
	signals: SignalEntry[];
	byName: Map<string, SignalEntry>;
	/** The value token of each BA_ of the message, by attribute name: where a warning about it points. */
	attributeTokens: Map<string, Token>;
}

interface AttributeDefinition {
	type: string;
	/** ENUM labels, in order: a BA_ value is an index into them. */
	labels: string[];
	/** INT, HEX and FLOAT: the declared range, when there is one (`0 0` declares none). */
	minimum: number | null;
	maximum: number | null;
	line: number;
}

type AttributeValue = number | string;

class Parser {
	private readonly problems: DbcProblem[] = [];
	private readonly warnings: DbcProblem[] = [];
	private readonly tokenizer: Tokenizer;
	private tokens: Token[] = [];
	private pos = 0;

	private version: string | null = null;
	private nodes: string[] = [];
	private readonly valueTables = new Map<string, Choices>();
	private readonly messages: MessageEntry[] = [];
	private readonly messagesById = new Map<number, MessageEntry[]>();
	private readonly definitions = new Map<string, AttributeDefinition>();
	/** BA_DEF_DEF_ values by attribute name, kept apart: files may give a default before its definition. */
	private readonly defaults = new Map<string, Token>();
	private readonly checkedDefaults = new Map<string, AttributeValue | null>();
	/** Cross references (CM_, VAL_, BA_, ...) are resolved at the end: DBC files may name a message before declaring it. */
	private readonly deferred: Array<() => void> = [];
	/** The message that SG_ lines belong to, until another statement starts. */
	private openMessage: MessageEntry | null = null;
	/** After a broken BO_ line its SG_ lines are skipped quietly: one problem is enough. */
	private orphanSignals = false;

	constructor(text: string, private readonly file: string, private readonly strict: boolean) {
		this.tokenizer = new Tokenizer(text, (line, col, message) => this.report(line, col, message));
	}

	run(): DbcParseResult {
		try {
			this.tokens = this.tokenizer.run();
			while (this.peek().kind !== "eof")
				this.statement();
			this.finish();
		} catch (error) {
			if (!(error instanceof TooManyProblems)) {
				// A parser bug must not take the command line down with a stack trace; it still shows.
				const message = error instanceof Error ? error.message : String(error);
				this.problems.push({ file: this.file, line: 1, col: 1, message: `internal parser error: ${message}` });
			}
		}
		const problems = this.problems.slice(0, MAX_PROBLEMS).sort((a, b) => a.line - b.line || a.col - b.col);
		if (this.problems.length > MAX_PROBLEMS) {
			const last = this.problems[MAX_PROBLEMS];
			problems.push({ ...last, message: `too many problems (more than ${MAX_PROBLEMS}); stopped here` });
		}
		for (const entry of this.messages)
			entry.message.signals = entry.signals.filter((s) => !s.leftOut).map((s) => s.signal);
		const database: DbcDatabase = {
			file: this.file,
			version: this.version ?? "",
			nodes: this.nodes,
			messages: this.messages.filter((entry) => !entry.pseudo && !entry.replaced).map((entry) => entry.message),
			valueTables: this.valueTables,
		};
		const warnings = this.warnings.sort((a, b) => a.line - b.line || a.col - b.col);
		return { database, problems, warnings };
	}

	// --- problems -----------------------------------------------------------

	private report(line: number, col: number, message: string): void {
		this.problems.push({ file: this.file, line, col, message });
		if (this.problems.length > MAX_PROBLEMS)
			throw new TooManyProblems();
	}

	private reportAt(token: Token, message: string): void {
		this.report(token.line, token.col, message);
	}

	private warnAt(token: Token, message: string): void {
		this.warnings.push({ file: this.file, line: token.line, col: token.col, message });
	}

	/**
	 * Something cantools loads without `strict` (and refuses with it): a
	 * problem when strict, else a warning that says what was done about it.
	 * Returns true when tolerated, so the caller does it.
	 */
	private tolerate(token: Token, problem: string, done: string): boolean {
		if (this.strict) {
			this.reportAt(token, problem);
			return false;
		}
		this.warnAt(token, `${problem}: ${done}`);
		return true;
	}

	private fail(token: Token, message: string): never {
		throw new StatementError(token, message);
	}

	private expected(what: string, token = this.peek()): never {
		this.fail(token, `expected ${what}, found ${describeToken(token)}`);
	}

	// --- cursor ---------------------------------------------------------------

	private peek(ahead = 0): Token {
		return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
	}

	private next(): Token {
		const token = this.tokens[this.pos];
		if (token.kind !== "eof")
			this.pos++;
		return token;
	}

	private atPunct(text: string): boolean {
		const token = this.peek();
		return token.kind === "punct" && token.text === text;
	}

	private atWord(text: string): boolean {
		const token = this.peek();
		return token.kind === "word" && token.text === text;
	}

	private punct(text: string, what: string): Token {
		if (!this.atPunct(text))
			this.expected(what);
		return this.next();
	}

	/** A name; as in cantools, a keyword is never a name (so a missing sender does not swallow the next SG_). */
	private word(what: string): Token {
		if (!this.atName())
			this.expected(what);
		return this.next();
	}

	private atName(): boolean {
		const token = this.peek();
		return token.kind === "word" && !KEYWORDS.has(token.text);
	}

	private string(what: string): Token {
		if (this.peek().kind !== "string")
			this.expected(what);
		return this.next();
	}

	private number(what: string): number {
		const token = this.peek();
		if (token.kind !== "number")
			this.expected(what);
		const value = Number(token.text);
		if (!Number.isFinite(value))
			this.fail(token, `${what} ${token.text} is out of range`);
		this.next();
		return value;
	}

	private integer(what: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
		const token = this.peek();
		const value = this.number(what);
		if (!Number.isInteger(value))
			this.fail(token, `expected an integer for ${what}, found '${token.text}'`);
		if (value < min || value > max)
			this.fail(token, `${what} ${token.text} is out of range ${min}..${max}`);
		return value;
	}

	private end(statement: string): void {
		this.punct(";", `';' at the end of ${statement}`);
	}

	/** A statement keyword at the start of a line: where a new statement certainly begins. */
	private atStatementStart(token: Token): boolean {
		return token.kind === "eof" || (token.lineStart && token.kind === "word" && (KEYWORDS.has(token.text) || isKeywordShaped(token.text)));
	}

	/** Skips what is left of a broken statement: up to the next statement keyword at a line start, or past a ';'. */
	private recover(): void {
		for (;;) {
			const token = this.peek();
			if (this.atStatementStart(token))
				return;
			this.next();
			if (token.kind === "punct" && token.text === ";")
				return;
		}
	}

	// --- statements -----------------------------------------------------------

	private statement(): void {
		const start = this.pos;
		const keyword = this.peek();
		if (!(keyword.kind === "word" && keyword.text === "SG_")) {
			this.openMessage = null;
			this.orphanSignals = false;
		}
		try {
			this.dispatch(keyword);
		} catch (error) {
			if (!(error instanceof StatementError))
				throw error;
			if (error.token.kind === "eof" && this.tokenizer.unterminatedString) {
				// Reported where the string starts.
			} else if (error.token.kind === "eof" && !this.strict) {
				// cantools' parser (textparser) accepts a file whose last statement breaks off at its
				// end, and leaves that statement out; so does this one, saying so.
				this.warnAt(keyword, `${keyword.kind === "word" ? keyword.text : "statement"} cut by the end of the file (${error.message}): left out, as cantools leaves it out`);
			} else
				this.reportAt(error.token, error.message);
			this.recover();
		}
		// Every statement consumes its first token, so the loop always ends; this makes sure of it.
		if (this.pos === start)
			this.next();
	}

	private dispatch(keyword: Token): void {
		if (keyword.kind !== "word")
			this.expected("a statement keyword (BO_, SG_, CM_, ...)");
		switch (keyword.text) {
			case "VERSION": return this.versionStatement();
			case "NS_": return this.newSymbols();
			case "BS_": return this.bitTiming();
			case "BU_": return this.nodeList();
			case "VAL_TABLE_": return this.valueTable();
			case "BO_": return this.messageStatement();
			case "SG_": return this.signalStatement();
			case "BO_TX_BU_": return this.transmitters();
			case "CM_": return this.comment();
			case "BA_DEF_": return this.attributeDefinition();
			case "BA_DEF_DEF_": return this.attributeDefault();
			case "BA_": return this.attribute();
			case "VAL_": return this.valueDescriptions();
			case "SIG_VALTYPE_": return this.signalValueType();
			case "SG_MUL_VAL_": return this.multiplexerValues();
		}
		if (SKIPPED_STATEMENTS.has(keyword.text))
			return this.skipStatement(true);
		if (isKeywordShaped(keyword.text))
			return this.skipStatement(false);
		this.expected("a statement keyword (BO_, SG_, CM_, ...)");
	}

	/** Reads a statement the cluster does not use up to its ';'. */
	private skipStatement(known: boolean): void {
		const keyword = this.next();
		for (;;) {
			const token = this.peek();
			if (this.atStatementStart(token)) {
				// Vendor statements may not end in ';'; known ones must.
				if (known)
					this.expected(`';' at the end of ${keyword.text}`);
				return;
			}
			this.next();
			if (token.kind === "punct" && token.text === ";")
				return;
		}
	}

	private versionStatement(): void {
		this.next();
		const version = this.string("version string after VERSION").text;
		this.version ??= version;
	}

	/** `NS_ :` and its list of keywords, which ends where a `WORD :` (`BS_:`) or a statement with arguments begins. */
	private newSymbols(): void {
		this.next();
		this.punct(":", "':' after NS_");
		for (;;) {
			const token = this.peek();
			const following = this.peek(1);
			if (token.kind !== "word" || (following.kind === "punct" && following.text === ":"))
				return;
			if (token.lineStart && following.kind !== "eof" && following.line === token.line)
				return;
			this.next();
		}
	}

	/** `BS_:` with an optional, obsolete baud rate and BTR values. */
	private bitTiming(): void {
		this.next();
		this.punct(":", "':' after BS_");
		while (this.peek().kind === "number" || this.atPunct(":") || this.atPunct(","))
			this.next();
	}

	private nodeList(): void {
		this.next();
		this.punct(":", "':' after BU_");
		const nodes: string[] = [];
		for (;;) {
			const token = this.peek();
			if (!this.atName() || (token.lineStart && isKeywordShaped(token.text)))
				break;
			nodes.push(this.next().text);
		}
		this.nodes = nodes;
	}

	/** Pairs `value "name"` up to ';', for VAL_TABLE_ and VAL_. */
	private choices(statement: string): Choices {
		const choices: Choices = new Map();
		while (!this.atPunct(";")) {
			if (this.peek().kind !== "number")
				this.expected(`a value or ';' in ${statement}`);
			const value = this.integer("value");
			choices.set(value, this.string(`a string after value ${value} in ${statement}`).text);
		}
		this.next();
		return choices;
	}

	private valueTable(): void {
		this.next();
		const name = this.word("value table name after VAL_TABLE_").text;
		this.valueTables.set(name, this.choices("VAL_TABLE_"));
	}

	private messageStatement(): void {
		const keyword = this.next();
		this.orphanSignals = true;
		const idToken = this.peek();
		const dbcId = this.integer("message id", 0, 0xFFFFFFFF);
		const name = this.word("message name").text;
		this.punct(":", "':' after message name");
		const lengthToken = this.peek();
		const length = this.integer("message length (DLC)", 0);
		const sender = this.word("sender node name after the message length").text;
		const extended = dbcId >= EXTENDED_FLAG;
		const entry: MessageEntry = {
			message: {
				id: extended ? dbcId & EXTENDED_ID_MASK : dbcId,
				extended,
				name,
				length,
				sender,
				signals: [],
				comment: null,
				cycleTime: null,
				attributes: new Map(),
				location: at(keyword),
			},
			dbcId,
			idToken,
			pseudo: name === INDEPENDENT_SIGNALS_MESSAGE,
			replaced: false,
			signals: [],
			byName: new Map(),
			attributeTokens: new Map(),
		};
		this.messages.push(entry);
		const same = this.messagesById.get(dbcId);
		if (same)
			same.push(entry);
		else
			this.messagesById.set(dbcId, [entry]);
		this.openMessage = entry;
		this.orphanSignals = false;
		if (entry.pseudo)
			return;
		if (length > MAX_MESSAGE_LENGTH)
			this.tolerate(lengthToken, `message '${name}' is ${length} bytes long; the most is ${MAX_MESSAGE_LENGTH} (CAN FD)`, "kept, as cantools keeps it (signals past byte 8 are left out of decode plans)");
		if (extended && (dbcId & 0x60000000) !== 0)
			this.reportAt(idToken, `extended message id ${dbcId} has bits 29-30 set; an extended id is 29 bits plus bit 31`);
		if (!extended && dbcId > STANDARD_ID_MAX)
			this.reportAt(idToken, `standard message id ${dbcId} (0x${dbcId.toString(16).toUpperCase()}) is above 0x7FF; an extended id needs bit 31 set (${dbcId + EXTENDED_FLAG})`);
	}

	private signalStatement(): void {
		const keyword = this.next();
		const message = this.openMessage;
		if (!message) {
			if (this.orphanSignals)
				return this.recover();
			this.fail(keyword, "SG_ outside a message: a signal must follow its BO_ line");
		}
		const nameToken = this.word("signal name after SG_");
		let isMultiplexer = false;
		let muxValue: number | null = null;
		let muxToken: Token | null = null;
		let looseM = false;
		if (this.atName()) {
			muxToken = this.next();
			const mux = /^(?:M|m(\d+)(M?))$/.exec(muxToken.text);
			// A lone `m` (opendbc's vw_pq.dbc has one) is a word cantools reads; what it means is settled with the message's other signals.
			looseM = !mux && muxToken.text === "m" && !this.strict;
			if (!mux && !looseM)
				this.fail(muxToken, `invalid multiplexer indicator '${muxToken.text}'; expected M, mN or mNM`);
			isMultiplexer = mux !== null && (mux[1] === undefined || mux[2] === "M");
			muxValue = mux === null || mux[1] === undefined ? null : Number(mux[1]);
		}
		this.punct(":", `':' after signal name '${nameToken.text}'`);
		const startToken = this.peek();
		const startBit = this.integer("start bit", 0, 0xFFFF);
		this.punct("|", "'|' after start bit");
		const lengthToken = this.peek();
		const length = this.integer("signal length", 0, 0xFFFF);
		this.punct("@", "'@' after signal length");
		const orderToken = this.peek();
		const order = this.integer("byte order after '@'");
		if (order !== 0 && order !== 1)
			this.fail(orderToken, `byte order must be @0 (big endian, Motorola) or @1 (little endian, Intel), found '@${orderToken.text}'`);
		const signToken = this.peek();
		if (!this.atPunct("+") && !this.atPunct("-"))
			this.expected("'+' (unsigned) or '-' (signed) after byte order");
		this.next();
		this.punct("(", "'(' before factor");
		const factorToken = this.peek();
		const factor = this.number("factor");
		this.punct(",", "',' between factor and offset");
		const offset = this.number("offset");
		this.punct(")", "')' after offset");
		this.punct("[", "'[' before minimum");
		const minimum = this.number("minimum");
		this.punct("|", "'|' between minimum and maximum");
		const maximum = this.number("maximum");
		this.punct("]", "']' after maximum");
		const unit = this.string("unit string").text;
		const receivers = this.receivers();
		const signal: DbcSignal = {
			name: nameToken.text,
			startBit,
			length,
			byteOrder: order === 0 ? "big_endian" : "little_endian",
			signed: signToken.text === "-",
			valueType: "integer",
			factor,
			offset,
			minimum,
			maximum,
			unit,
			receivers,
			isMultiplexer,
			multiplexerSignal: null,
			multiplexerRanges: [],
			choices: null,
			comment: null,
			location: at(keyword),
		};
		const entry: SignalEntry = {
			signal, nameToken, startToken, lengthToken, factorToken, muxValue, muxToken, looseM, valueTypeToken: null, mulVal: null, leftOut: false,
		};
		const first = message.byName.get(signal.name);
		if (first && !message.pseudo) {
			// cantools keeps both, and which one's value it gives depends on where they lie: neither is decoded here.
			if (this.tolerate(nameToken, `duplicate signal name '${signal.name}' in message '${message.message.name}' (first at line ${first.nameToken.line})`,
				"both left out, as which of them cantools decodes depends on their layout"))
				first.leftOut = entry.leftOut = true;
		}
		if (!first)
			message.byName.set(signal.name, entry);
		message.signals.push(entry);
	}

	/** Receivers are comma separated in the spec; some tools separate them with spaces on the same line. */
	private receivers(): string[] {
		let token = this.word("receiver node name (Vector__XXX for none)");
		const names = [token.text];
		for (;;) {
			const following = this.peek();
			if (following.kind === "punct" && following.text === ",") {
				this.next();
				token = this.word("receiver node name after ','");
			} else if (this.atName() && following.line === token.line) {
				token = this.next();
			} else
				break;
			names.push(token.text);
		}
		return names.filter((name) => name !== NO_NODE);
	}

	/** `BO_TX_BU_ id : A,B;` names further senders; the model keeps the one on the BO_ line. */
	private transmitters(): void {
		this.next();
		this.integer("message id after BO_TX_BU_");
		this.punct(":", "':' after message id");
		this.word("sender node name");
		while (this.atPunct(",")) {
			this.next();
			this.word("sender node name after ','");
		}
		this.end("BO_TX_BU_");
	}

	private comment(): void {
		this.next();
		const kind = this.peek();
		if (kind.kind === "string") {
			this.next();
		} else if (kind.kind === "word" && (kind.text === "BU_" || kind.text === "EV_")) {
			this.next();
			this.word(`a name after ${kind.text}`);
			this.string("comment string");
		} else if (kind.kind === "word" && kind.text === "BO_") {
			this.next();
			const [idToken, dbcId] = this.messageReference("CM_ BO_");
			const text = this.string("comment string").text;
			this.refer("CM_", idToken, dbcId, null, (message) => {
				message.message.comment = text;
			});
		} else if (kind.kind === "word" && kind.text === "SG_") {
			this.next();
			const [idToken, dbcId] = this.messageReference("CM_ SG_");
			const signalToken = this.word("signal name");
			const text = this.string("comment string").text;
			this.refer("CM_", idToken, dbcId, signalToken, (_, signal) => {
				signal!.signal.comment = text;
			});
		} else
			this.expected("a comment string, or BU_, BO_, SG_ or EV_ after CM_");
		this.end("CM_");
	}

	private messageReference(statement: string): [Token, number] {
		const token = this.peek();
		return [token, this.integer(`message id after ${statement}`, 0, 0xFFFFFFFF)];
	}

	private attributeDefinition(): void {
		this.next();
		if (this.atWord("BU_") || this.atWord("BO_") || this.atWord("SG_") || this.atWord("EV_"))
			this.next();
		const nameToken = this.string("attribute name string");
		const name = nameToken.text;
		const type = this.word("attribute type (INT, HEX, FLOAT, STRING or ENUM)").text;
		const labels: string[] = [];
		const numbers: number[] = [];
		while (!this.atPunct(";")) {
			const token = this.peek();
			if (token.kind === "string")
				labels.push(token.text);
			else if (token.kind === "number")
				numbers.push(Number(token.text));
			else if (!(token.kind === "punct" && token.text === ","))
				this.expected(`';' at the end of BA_DEF_ "${name}"`);
			this.next();
		}
		this.next();
		// `INT 0 0` is how CANdb++ writes "no range".
		const ranged = (type === "INT" || type === "HEX" || type === "FLOAT") && numbers.length >= 2 && !(numbers[0] === 0 && numbers[1] === 0)
			&& Number.isFinite(numbers[0]) && Number.isFinite(numbers[1]) && numbers[0] <= numbers[1];
		this.definitions.set(name, { type, labels, minimum: ranged ? numbers[0] : null, maximum: ranged ? numbers[1] : null, line: nameToken.line });
	}

	private attributeDefault(): void {
		this.next();
		const name = this.string("attribute name string after BA_DEF_DEF_").text;
		const value = this.attributeValueToken(name);
		this.end("BA_DEF_DEF_");
		this.defaults.set(name, value);
	}

	private attributeValueToken(name: string): Token {
		const token = this.peek();
		if (token.kind !== "number" && token.kind !== "string")
			this.expected(`a value for attribute "${name}"`);
		return this.next();
	}

	private attribute(): void {
		this.next();
		const nameToken = this.string("attribute name string after BA_");
		const name = nameToken.text;
		const target = this.peek();
		let message: [Token, number] | null = null;
		let signalToken: Token | null = null;
		if (target.kind === "word" && (target.text === "BU_" || target.text === "EV_")) {
			this.next();
			this.word(`a name after ${target.text}`);
		} else if (target.kind === "word" && (target.text === "BO_" || target.text === "SG_")) {
			this.next();
			message = this.messageReference(`BA_ ${target.text}`);
			if (target.text === "SG_")
				signalToken = this.word("signal name");
		}
		const valueToken = this.attributeValueToken(name);
		this.end("BA_");
		// Converted at the end, when every BA_DEF_ is known; cantools cannot load a BA_ without one.
		let value: AttributeValue | null = null;
		this.deferred.push(() => {
			const definition = this.definitions.get(name);
			if (!definition) {
				this.reportAt(nameToken, `attribute "${name}" has no definition (BA_DEF_)`);
				return;
			}
			value = this.attributeValue(name, valueToken);
			if (value !== null && !this.withinDefinition(name, definition, value, valueToken, false))
				value = null;
		});
		if (message)
			this.refer("BA_", message[0], message[1], signalToken, (entry, signal) => {
				if (!signal && value !== null) {
					entry.message.attributes.set(name, value);
					entry.attributeTokens.set(name, valueToken);
				}
			});
	}

	/**
	 * Converts a BA_ value the way cantools does: INT, HEX and ENUM truncate to
	 * integers, FLOAT parses (a number in quotes too, as Python's Decimal reads
	 * it), STRING stays text. A value that is no number where one is needed is
	 * a problem, unless `quiet`.
	 */
	private attributeValue(name: string, token: Token, quiet = false): AttributeValue | null {
		const definition = this.definitions.get(name);
		const type = definition?.type ?? "";
		const numeric = type === "INT" || type === "HEX" || type === "FLOAT" || type === "ENUM";
		if (token.kind === "number" || (numeric && type !== "ENUM" && QUOTED_NUMBER.test(token.text))) {
			if (type === "STRING")
				return token.text;
			const value = Number(token.text);
			return type === "INT" || type === "HEX" || type === "ENUM" ? Math.trunc(value) : value;
		}
		if (numeric) {
			// Some tools write the ENUM label instead of its index; that one is unambiguous.
			const index = definition!.labels.indexOf(token.text);
			if (type === "ENUM" && index >= 0)
				return index;
			if (!quiet)
				this.reportAt(token, `attribute "${name}" is ${type}, so its value must be a number, found ${describeToken(token)}`);
			return null;
		}
		return token.text;
	}

	/**
	 * True when a numeric attribute value lies in what its BA_DEF_ declares (a
	 * range, or the ENUM's labels); else a warning saying that the value is
	 * ignored and what applies instead (the default, for a BA_).
	 */
	private withinDefinition(name: string, definition: AttributeDefinition, value: AttributeValue, token: Token, isDefault: boolean): boolean {
		if (typeof value !== "number")
			return true;
		let range: string | null = null;
		if (definition.type === "ENUM" && definition.labels.length > 0 && (value < 0 || value >= definition.labels.length))
			range = `0..${definition.labels.length - 1} (the indexes of its ${definition.labels.length} labels)`;
		else if (definition.minimum !== null && definition.maximum !== null && (value < definition.minimum || value > definition.maximum))
			range = `${definition.minimum}..${definition.maximum}`;
		if (range === null)
			return true;
		let instead = "there is no default";
		if (isDefault)
			instead = "the attribute has no default";
		else {
			const fallback = this.defaultValue(name);
			if (fallback !== null)
				instead = `the default (${fallback}) applies`;
		}
		this.warnAt(token, `attribute "${name}" ${isDefault ? "default " : ""}${token.text} is outside the range ${range} that its BA_DEF_ (line ${definition.line}) declares: ignored, ${instead}`);
		return false;
	}

	/** The BA_DEF_DEF_ value of an attribute, converted and checked (once), or null. */
	private defaultValue(name: string): AttributeValue | null {
		if (this.checkedDefaults.has(name))
			return this.checkedDefaults.get(name)!;
		const definition = this.definitions.get(name);
		const token = this.defaults.get(name);
		let value: AttributeValue | null = null;
		if (definition && token) {
			// Only GenMsgCycleTime's default changes decoding; a malformed default of another attribute stays harmless, as it always was.
			value = this.attributeValue(name, token, name !== "GenMsgCycleTime");
			if (value !== null && !this.withinDefinition(name, definition, value, token, true))
				value = null;
		}
		this.checkedDefaults.set(name, value);
		return value;
	}

	private valueDescriptions(): void {
		this.next();
		if (this.peek().kind !== "number") {
			// VAL_ of an environment variable: nothing the cluster shows.
			this.word("message id or environment variable name after VAL_");
			this.choices("VAL_");
			return;
		}
		const [idToken, dbcId] = this.messageReference("VAL_");
		const signalToken = this.word("signal name");
		const choices = this.choices("VAL_");
		this.refer("VAL_", idToken, dbcId, signalToken, (_, signal) => {
			// cantools ignores an empty list rather than giving the signal an empty table.
			if (choices.size > 0)
				signal!.signal.choices = choices;
		});
	}

	private signalValueType(): void {
		this.next();
		const [idToken, dbcId] = this.messageReference("SIG_VALTYPE_");
		const signalToken = this.word("signal name");
		if (this.atPunct(":"))
			this.next();
		const typeToken = this.peek();
		let type = this.integer("value type (0 integer, 1 float32, 2 float64)");
		if (type < 0 || type > 2) {
			const problem = `value type must be 0 (integer), 1 (float32) or 2 (float64), found '${typeToken.text}'`;
			if (this.strict)
				this.fail(typeToken, problem);
			this.warnAt(typeToken, `${problem}: read as 0 (integer), as cantools reads it`);
			type = 0;
		}
		this.end("SIG_VALTYPE_");
		this.refer("SIG_VALTYPE_", idToken, dbcId, signalToken, (_, signal) => {
			signal!.signal.valueType = type === 1 ? "float32" : type === 2 ? "float64" : "integer";
			signal!.valueTypeToken = typeToken;
		});
	}

	/** `SG_MUL_VAL_ id signal switch 0-0, 2-4;` (the tokenizer reads `2-4` as 2 and -4, as cantools does). */
	private multiplexerValues(): void {
		const keyword = this.next();
		const [idToken, dbcId] = this.messageReference("SG_MUL_VAL_");
		const signalToken = this.word("signal name");
		const switchToken = this.word("multiplexer switch name");
		const ranges: Array<[number, number]> = [];
		for (;;) {
			const lowToken = this.peek();
			const low = this.integer("range start", 0);
			let high: number;
			if (this.peek().kind === "number" && this.peek().text.startsWith("-")) {
				high = -this.integer("range end");
			} else {
				this.punct("-", "'-' between the ends of a range");
				high = this.integer("range end", 0);
			}
			if (high < low)
				this.fail(lowToken, `multiplexer range ${low}-${high} is empty`);
			ranges.push([low, high]);
			if (!this.atPunct(","))
				break;
			this.next();
		}
		this.end("SG_MUL_VAL_");
		this.refer("SG_MUL_VAL_", idToken, dbcId, signalToken, (_, signal) => {
			signal!.mulVal = { keyword, switchName: switchToken.text, switchToken, ranges };
		});
	}

	/**
	 * Queues `apply` for the end of the file, when every message is known.
	 * A reference to a message or signal that never appears is ignored, as
	 * cantools ignores it, with a warning; with strict, it is a problem when it
	 * would change decoding (SIG_VALTYPE_, SG_MUL_VAL_).
	 */
	private refer(statement: string, idToken: Token, dbcId: number, signalToken: Token | null,
		apply: (message: MessageEntry, signal: SignalEntry | null) => void): void {
		const decodes = statement === "SIG_VALTYPE_" || statement === "SG_MUL_VAL_";
		const complain = (token: Token, message: string) => decodes ? this.tolerate(token, message, "ignored, as cantools ignores it") : this.warnAt(token, message);
		this.deferred.push(() => {
			const messages = this.messagesById.get(dbcId);
			if (!messages) {
				complain(idToken, `${statement} refers to message id ${dbcId}, which no BO_ declares`);
				return;
			}
			for (const message of messages) {
				const signal = signalToken ? message.byName.get(signalToken.text) : null;
				if (signalToken && !signal)
					complain(signalToken, `${statement} refers to signal '${signalToken.text}', which message '${message.message.name}' (id ${dbcId}) does not have`);
				else
					apply(message, signal ?? null);
			}
		});
	}

	// --- the whole file -------------------------------------------------------

	private finish(): void {
		// Every default is checked against its range once, used or not.
		for (const name of this.defaults.keys())
			this.defaultValue(name);
		for (const apply of this.deferred)
			apply();
		// As in cantools: no cycle time at all without a BA_DEF_ for it.
		const cycleTime = this.definitions.get("GenMsgCycleTime");
		const cycleTimeDefault = cycleTime ? this.defaultCycleTime() : null;
		const seen = new Map<string, MessageEntry>();
		for (const entry of this.messages) {
			if (entry.pseudo)
				continue;
			const message = entry.message;
			if (cycleTime)
				message.cycleTime = this.cycleTime(entry, cycleTimeDefault);
			const key = `${message.extended}:${message.id}`;
			const first = seen.get(key);
			if (!first)
				seen.set(key, entry);
			else if (this.tolerate(entry.idToken, `duplicate message id ${entry.dbcId}: '${message.name}' repeats '${first.message.name}' (line ${first.message.location.line})`,
				`'${first.message.name}' left out, as frames of this id decode as '${message.name}' in cantools (the later one wins)`)) {
				first.replaced = true;
				seen.set(key, entry);
			}
		}
		for (const entry of this.messages) {
			if (entry.pseudo || entry.replaced)
				continue;
			this.resolveMultiplexing(entry);
			for (const signal of entry.signals)
				if (!signal.leftOut)
					this.checkSignal(entry, signal);
			this.leaveOutUnselectable(entry);
		}
	}

	/**
	 * GenMsgCycleTime of a message in ms, or null: none (no BA_, no default,
	 * or 0, which means none in cantools even over a default), or refused.
	 */
	private cycleTime(entry: MessageEntry, fallback: number | null): number | null {
		const own = entry.message.attributes.get("GenMsgCycleTime");
		if (own === undefined)
			return fallback;
		const ms = typeof own === "string" ? Number(own) : own;
		if (!Number.isFinite(ms) || ms === 0)
			return null;
		return this.saneCycleTime(ms, entry.attributeTokens.get("GenMsgCycleTime")!, `of message '${entry.message.name}'`, "its signals get");
	}

	private defaultCycleTime(): number | null {
		const value = this.defaultValue("GenMsgCycleTime");
		const ms = typeof value === "string" ? Number(value) : value;
		if (ms === null || !Number.isFinite(ms) || ms === 0)
			return null;
		return this.saneCycleTime(ms, this.defaults.get("GenMsgCycleTime")!, "default (BA_DEF_DEF_)", "messages without one of their own get");
	}

	/**
	 * A cycle time the cluster can use, or null after a warning: negative, or
	 * longer than MAX_CYCLE_TIME_MS (compile.ts says why), which a 32-bit
	 * timeout would turn into a few milliseconds of freshness or none.
	 */
	private saneCycleTime(ms: number, token: Token, whose: string, who: string): number | null {
		if (ms > 0 && ms <= MAX_CYCLE_TIME_MS)
			return ms;
		this.warnAt(token, `GenMsgCycleTime ${whose} is ${token.text} ms, ${ms < 0 ? "negative" : `longer than an hour (${MAX_CYCLE_TIME_MS})`}: ignored, so ${who} the timeout of a message without a cycle time`);
		return null;
	}

	/**
	 * cantools' rules (its dbc.py `_load_signals`): with exactly one switch
	 * (`M` or `mNM`) in a message, every `mN` signal depends on it with value
	 * N, plus any SG_MUL_VAL_ ranges for that switch, and the switch itself is
	 * at the top; with none or several, SG_MUL_VAL_ alone says which switch and
	 * values select a signal that has an indicator (its own dumps write `M`
	 * for a switch that is itself selected, `mNM`), and a signal with an
	 * indicator but no SG_MUL_VAL_ is an ordinary one. Without strict, what
	 * strays from the DBC spec is read that way, with a warning.
	 */
	private resolveMultiplexing(entry: MessageEntry): void {
		const name = entry.message.name;
		const switches = entry.signals.filter((s) => s.signal.isMultiplexer);
		const only = switches.length === 1 ? switches[0] : null;
		const ordinary = "read as an ordinary signal, always decoded, as cantools reads it";
		for (const s of entry.signals) {
			const signalName = s.signal.name;
			let mulVal = s.mulVal;
			if (mulVal) {
				const target = entry.byName.get(mulVal.switchName);
				if (!target || target === s || !target.signal.isMultiplexer) {
					const problem = `SG_MUL_VAL_ names '${mulVal.switchName}' as the switch of '${signalName}', but it is not a multiplexer switch (M) of message '${name}'`;
					if (only || !s.muxToken)
						this.tolerate(mulVal.switchToken, problem, "ignored, as cantools ignores it");
					else if (this.tolerate(mulVal.switchToken, problem, `'${signalName}' left out, as cantools never decodes it`)) {
						s.leftOut = true;
						continue;
					}
					mulVal = null;
				} else if (s.muxValue === null) {
					const problem = `SG_MUL_VAL_ for signal '${signalName}', which has no multiplexer indicator (mN) in message '${name}'`;
					if (!s.muxToken)
						this.tolerate(mulVal.keyword, problem, "ignored, as cantools ignores it: the signal is always decoded");
					else if (this.tolerate(mulVal.keyword, problem, `read as selected by '${mulVal.switchName}' (${formatRanges(mulVal.ranges)}), as cantools reads it`)) {
						s.signal.multiplexerSignal = mulVal.switchName;
						s.signal.multiplexerRanges = mergeRanges(mulVal.ranges);
					}
					continue;
				}
			}
			if (s.looseM) {
				if (only)
					this.reportAt(s.muxToken!, `multiplexer indicator 'm' without a value for signal '${signalName}', in message '${name}' whose switch is '${only.signal.name}': write mN (cantools cannot load it either)`);
				else
					this.warnAt(s.muxToken!, `multiplexer indicator 'm' without a value for signal '${signalName}', and ${switches.length === 0 ? `message '${name}' has no switch (M)` : `no SG_MUL_VAL_ for it in message '${name}'`}: ${ordinary}`);
				continue;
			}
			if (s.muxValue === null)
				continue;
			let ranges: Array<[number, number]>;
			if (only && only !== s) {
				s.signal.multiplexerSignal = only.signal.name;
				ranges = [[s.muxValue, s.muxValue]];
				if (mulVal && mulVal.switchName === only.signal.name)
					ranges.push(...mulVal.ranges);
			} else if (mulVal) {
				s.signal.multiplexerSignal = mulVal.switchName;
				ranges = mulVal.ranges.slice();
			} else {
				const others = switches.filter((other) => other !== s).length;
				this.tolerate(s.muxToken!, others === 0
					? `signal '${signalName}' is multiplexed (${s.muxToken!.text}) but message '${name}' has no other signal that is a multiplexer switch (M)`
					: `signal '${signalName}' is multiplexed (${s.muxToken!.text}) but message '${name}' has ${switches.length} multiplexer switches and no SG_MUL_VAL_ says which one selects it`,
				s.signal.isMultiplexer ? "read as a switch that is always decoded (M), as cantools reads it" : ordinary);
				continue;
			}
			s.signal.multiplexerRanges = mergeRanges(ranges);
		}
	}

	/**
	 * Leaves out what cantools never decodes: a signal whose switch was left
	 * out, and signals whose switches select each other in a loop (SG_MUL_VAL_
	 * can write one). A warning for each.
	 */
	private leaveOutUnselectable(entry: MessageEntry): void {
		for (let changed = true; changed;) {
			changed = false;
			for (const s of entry.signals) {
				const switchName = s.signal.multiplexerSignal;
				if (s.leftOut || switchName === null)
					continue;
				const parent = entry.byName.get(switchName);
				if (parent && !parent.leftOut && !selectsItself(entry, s))
					continue;
				s.leftOut = changed = true;
				this.warnAt(s.nameToken, parent && !parent.leftOut
					? `signal '${s.signal.name}' is selected through a loop of multiplexer switches (SG_MUL_VAL_) in message '${entry.message.name}': left out, as cantools never decodes it`
					: `signal '${s.signal.name}' left out with its multiplexer switch '${switchName}'`);
			}
		}
	}

	private checkSignal(entry: MessageEntry, s: SignalEntry): void {
		const { signal } = s;
		const message = entry.message;
		if (signal.length < 1) {
			// cantools refuses it too.
			this.reportAt(s.lengthToken, `signal '${signal.name}' is ${signal.length} bits long; a signal has 1 to ${MAX_SIGNAL_LENGTH} bits`);
			return;
		}
		if (signal.length > MAX_SIGNAL_LENGTH) {
			if (this.tolerate(s.lengthToken, `signal '${signal.name}' is ${signal.length} bits long; a signal has 1 to ${MAX_SIGNAL_LENGTH} bits`, "left out (cantools keeps it)"))
				s.leftOut = true;
			return;
		}
		// Bit positions counted in the order the bits go on the wire: 8 * byte + bit for Intel,
		// 8 * byte + (7 - bit) for Motorola, whose start bit is the most significant one.
		const first = signal.byteOrder === "little_endian"
			? signal.startBit
			: Math.floor(signal.startBit / 8) * 8 + 7 - (signal.startBit % 8);
		const last = first + signal.length - 1;
		if (last >= message.length * 8) {
			// cantools loads it, and then decodes no frame of the message at all (its bit unpacker
			// wants more bytes than the message declares). Kept here, it is decoded from every frame
			// long enough to carry it, as cantools decodes a truncated frame; past byte 8, no CAN
			// frame carries it.
			const problem = `signal '${signal.name}' (start bit ${signal.startBit}, ${signal.length} bits, ${signal.byteOrder.replace("_", " ")}) does not fit in the ${message.length} bytes of message '${message.name}'`;
			const lastByte = Math.floor(last / 8) + 1;
			if (last < 64)
				this.tolerate(s.startToken, problem, `kept, and decoded from frames of at least ${lastByte} bytes`);
			else if (this.tolerate(s.startToken, problem, `left out: it reaches byte ${lastByte}, past the 8 bytes of a CAN frame`)) {
				s.leftOut = true;
				return;
			}
		}
		const floatLength = signal.valueType === "float32" ? 32 : signal.valueType === "float64" ? 64 : 0;
		if (floatLength !== 0 && signal.length !== floatLength) {
			// cantools takes the float's size from the signal's length: 16 (half precision), 32 or 64; it cannot load others.
			const problem = `signal '${signal.name}' is ${signal.valueType} (SIG_VALTYPE_) but ${signal.length} bits long; ${signal.valueType} needs ${floatLength}`;
			if (signal.length === 32 || signal.length === 64) {
				if (this.tolerate(s.valueTypeToken!, problem, `read as float${signal.length}, as cantools reads it`))
					signal.valueType = signal.length === 32 ? "float32" : "float64";
			} else if (signal.length === 16) {
				if (this.tolerate(s.valueTypeToken!, problem, "left out: a 16-bit float is not decoded here (cantools reads it as half precision)")) {
					s.leftOut = true;
					return;
				}
			} else
				this.reportAt(s.valueTypeToken!, problem);
		}
		if (signal.valueType === "integer") {
			// No non-finite value reaches the glass: the store shows one as missing and counts it
			// (SignalStore.read); a scaling that can give one for a raw value of the signal's
			// length is worth knowing when the DBC is read.
			const top = signal.signed ? 2 ** (signal.length - 1) : 2 ** signal.length - 1;
			const bottom = signal.signed ? -top : 0;
			if (!Number.isFinite(top * signal.factor + signal.offset) || !Number.isFinite(bottom * signal.factor + signal.offset))
				this.warnAt(s.factorToken, `signal '${signal.name}': raw * ${signal.factor} + ${signal.offset} overflows to infinity for some of its ${signal.length}-bit raw values; those are shown as missing`);
		}
	}
}

/** True when following the switches of `s` leads back to `s`. */
function selectsItself(entry: MessageEntry, s: SignalEntry): boolean {
	const seen = new Set<SignalEntry>();
	for (let at: SignalEntry | undefined = s; at && at.signal.multiplexerSignal !== null;) {
		at = entry.byName.get(at.signal.multiplexerSignal);
		if (at === s)
			return true;
		if (!at || seen.has(at))
			return false;
		seen.add(at);
	}
	return false;
}

/** `0-0, 2-4`, as SG_MUL_VAL_ writes ranges. */
function formatRanges(ranges: Array<[number, number]>): string {
	return ranges.map(([low, high]) => `${low}-${high}`).join(", ");
}

function at(token: Token): DbcLocation {
	return { line: token.line, col: token.col };
}

/** Sorts ranges and joins the ones that overlap or touch: `[[8,8],[9,9]]` becomes `[[8,9]]`. */
function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
	const sorted = ranges.slice().sort((a, b) => a[0] - b[0]);
	const merged: Array<[number, number]> = [];
	for (const [low, high] of sorted) {
		const last = merged[merged.length - 1];
		if (last && low <= last[1] + 1)
			last[1] = Math.max(last[1], high);
		else
			merged.push([low, high]);
	}
	return merged;
}
