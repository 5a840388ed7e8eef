/*
 * `xs-cluster pack send CAR.xspack --port /dev/ttyUSB0 | --tcp host:port [--force]`:
 * sends a signed vehicle pack to a cluster over its pack link, a serial port
 * (the board's UART, through a USB-serial adapter) or a TCP port (the
 * simulator's, `npm start -- --pack-link`), and prints what the cluster
 * said. The wire format is modules/pack/transfer.ts; the cluster's end is
 * PackReceiver (modules/pack/receiver.ts), which hands the pack to the same
 * installer an MQTT retained message reaches.
 *
 * Stop and wait: one data frame, then the cluster's `next`. No answer within
 * `--timeout` seconds ends the command with one line and exit status 1; a
 * refusal prints the cluster's line and exits 1. The serial port is set up
 * with stty (raw, 8N1, the baud rate) and read through a tty stream. Node only.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { platform } from "node:os";
import { ReadStream } from "node:tty";
import { BEGIN_FORCE, beginFrame, CHUNK_BYTES, dataFrame, encodeFrame, FrameKind, parseReply } from "../modules/pack/transfer.js";
import { checkInputPath, cannotRead, onePositional, parseOptions, plural, UsageError } from "./usage.js";

interface SendIo {
	stdout: (text: string) => void | Promise<void>;
	stderr: (text: string) => void;
}

/** The byte stream to a cluster: a TCP socket or a tty. */
interface Link {
	readonly where: string;
	/** Said when the cluster never answered at all. */
	readonly hint: string;
	write(bytes: Uint8Array): void;
	onData(listener: (bytes: Buffer) => void): void;
	onClose(listener: (why: string) => void): void;
	close(): void;
}

const DEFAULT_BAUD = 115200;
const DEFAULT_TIMEOUT_S = 5;
/** An accepted pack is written in the display tick's leftover time: give it this long to say it is on flash. */
const WRITE_TIMEOUT_S = 60;
/** The same chunk asked for this many times in a row: the link is too noisy. */
const MAX_RESENDS = 5;

export async function packSend(args: string[], io: SendIo): Promise<number> {
	const { values, positionals } = parseOptions(args, {
		port: { type: "string" },
		baud: { type: "string" },
		tcp: { type: "string" },
		timeout: { type: "string" },
		force: { type: "boolean" },
	});
	const path = onePositional(positionals, "pack file (CAR.xspack)");
	if (!values.port === !values.tcp)
		throw new UsageError("pack send needs one of --port /dev/ttyUSB0 (the board's serial port) or --tcp host:port (the simulator's pack link)");
	const timeoutS = values.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(values.timeout);
	if (!(timeoutS > 0 && timeoutS <= 600))
		throw new UsageError(`--timeout '${values.timeout}': seconds to wait for each answer, more than 0 and at most 600`);
	const baud = values.baud === undefined ? DEFAULT_BAUD : Number(values.baud);
	if (!Number.isInteger(baud) || baud < 1200 || baud > 4000000)
		throw new UsageError(`--baud '${values.baud}': the serial port's bit rate, e.g. 115200`);
	if (values.baud !== undefined && !values.port)
		throw new UsageError("--baud is for a serial port (--port)");
	checkInputPath(path);
	let pack: Uint8Array;
	try {
		pack = new Uint8Array(readFileSync(path));
	}
	catch (error) {
		throw cannotRead(path, error);
	}
	if (pack.length === 0)
		throw new Error(`${path}: empty file, not a pack`);
	if (pack.length > 0xFFFFFFFF)
		throw new Error(`${path}: ${pack.length} bytes, too large for a pack`);
	const link = values.tcp ? await openTcp(values.tcp) : openSerial(values.port!, baud);
	try {
		return await send(link, path, pack, values.force ? BEGIN_FORCE : 0, timeoutS * 1000, io);
	}
	finally {
		link.close();
	}
}

/** The conversation: begin, data until the cluster has it all, its verdict, and the write's end. */
async function send(link: Link, path: string, pack: Uint8Array, flags: number, timeoutMs: number, io: SendIo): Promise<number> {
	const replies = new Replies(link);
	let offset = 0, answered = false;
	const ask = async (frame: Uint8Array, waitMs = timeoutMs) => {
		link.write(frame);
		const reply = await replies.next(waitMs, () => `no answer from the cluster on ${link.where} for ${waitMs / 1000} s after ${offset} of ${pack.length} bytes${answered ? "" : ` (${link.hint})`}`);
		answered = true;
		return reply;
	};
	try {
		let reply = await ask(beginFrame(pack, flags));
		if (reply.word === "ready") {
			// `ready <total> <chunk>`: the most a frame may carry there (a UART's FIFO holds one frame).
			const asked = Number(reply.rest.split(" ")[1]);
			const chunk = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, CHUNK_BYTES) : CHUNK_BYTES;
			let resends = 0;
			for (;;) {
				reply = await ask(dataFrame(pack, offset, chunk));
				if (reply.word !== "next")
					break;
				const next = Number(reply.rest);
				if (!Number.isInteger(next) || next < 0 || next >= pack.length)
					throw new Error(`the cluster on ${link.where} asked for byte ${reply.rest} of a ${pack.length}-byte pack`);
				resends = next > offset ? 0 : resends + 1;
				if (resends > MAX_RESENDS)
					throw new Error(`the cluster on ${link.where} asked for the chunk at byte ${next} ${MAX_RESENDS} times: the link loses data (a lower --baud?)`);
				offset = next;
			}
		}
		if (reply.word === "refused") {
			io.stderr(`xs-cluster: ${path}: the cluster refused it: ${reply.rest}\n`);
			return 1;
		}
		const sent = `${path}: sent ${plural(pack.length, "byte")} to ${link.where}`;
		if (reply.word === "unchanged") {
			await io.stdout(`${sent}; the cluster: ${reply.rest}\n`);
			return 0;
		}
		if (reply.word !== "staging")
			throw new Error(`the cluster on ${link.where} answered '${reply.word} ${reply.rest}', which this version of xs-cluster does not know`);
		offset = pack.length;
		const done = await replies.next(WRITE_TIMEOUT_S * 1000, () => `the cluster on ${link.where} took the pack but did not say it was written within ${WRITE_TIMEOUT_S} s (${reply.rest})`);
		if (done.word !== "installed") {
			io.stderr(`xs-cluster: ${path}: the cluster took it but could not write it: ${done.rest}\n`);
			return 1;
		}
		await io.stdout(`${sent}; the cluster: ${done.rest}\n`);
		return 0;
	}
	catch (error) {
		// Ctrl-C is not handled here; a transfer stopped halfway is dropped by the cluster after its idle timeout.
		try {
			link.write(encodeFrame(FrameKind.abort));
		}
		catch {
			// the link is gone
		}
		throw error;
	}
}

/** Reply lines from the cluster, other lines (a UART's log output) skipped. */
class Replies {
	private text = "";
	private readonly queue: { word: string; rest: string }[] = [];
	private waiting: { resolve: (reply: { word: string; rest: string }) => void; reject: (error: Error) => void } | null = null;
	private closed: string | null = null;

	constructor(link: Link) {
		link.onData(bytes => {
			this.text += bytes.toString("latin1");
			let end;
			while ((end = this.text.indexOf("\n")) >= 0) {
				const reply = parseReply(this.text.slice(0, end));
				this.text = this.text.slice(end + 1);
				if (reply)
					this.queue.push(reply);
			}
			this.text = this.text.slice(-4 * CHUNK_BYTES); // a log line without an end never grows without bound
			this.wake();
		});
		link.onClose(why => {
			this.closed = `the connection to the cluster on ${link.where} closed${why ? ` (${why})` : ""}`;
			this.wake();
		});
	}

	next(timeoutMs: number, silence: () => string): Promise<{ word: string; rest: string }> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.waiting = null;
				reject(new Error(silence()));
			}, timeoutMs);
			this.waiting = {
				resolve: reply => { clearTimeout(timer); resolve(reply); },
				reject: error => { clearTimeout(timer); reject(error); },
			};
			this.wake();
		});
	}

	private wake(): void {
		const waiting = this.waiting;
		if (!waiting)
			return;
		const reply = this.queue.shift();
		if (reply) {
			this.waiting = null;
			waiting.resolve(reply);
		}
		else if (this.closed) {
			this.waiting = null;
			waiting.reject(new Error(this.closed));
		}
	}
}

/** `host:port` (or `:port` for this machine), as the simulator's pack link listens. */
export function parseTcpTarget(where: string): { host: string; port: number } {
	const match = /^(.*):(\d{1,5})$/.exec(where.trim());
	const port = match ? Number(match[2]) : NaN;
	if (!match || !(port >= 1 && port <= 65535))
		throw new UsageError(`--tcp '${where}': host:port, e.g. 127.0.0.1:7071`);
	return { host: match[1].replace(/^\[|\]$/g, "") || "127.0.0.1", port };
}

function openTcp(where: string): Promise<Link> {
	const { host, port } = parseTcpTarget(where);
	const label = `${host}:${port}`;
	return new Promise((resolve, reject) => {
		const socket: Socket = connect({ host, port });
		socket.setNoDelay(true);
		socket.once("error", error => reject(new Error(`cannot connect to the cluster's pack link at ${label}: ${(error as NodeJS.ErrnoException).code ?? error.message} (is the simulator running with npm start -- --pack-link?)`)));
		socket.once("connect", () => {
			socket.removeAllListeners("error");
			let why = "";
			socket.on("error", error => { why = (error as NodeJS.ErrnoException).code ?? error.message; });
			resolve({
				where: label,
				hint: "is it the simulator's pack link, npm start -- --pack-link?",
				write: bytes => { socket.write(bytes); },
				onData: listener => { socket.on("data", listener); },
				onClose: listener => { socket.on("close", () => listener(why)); },
				close: () => { socket.destroy(); },
			});
		});
	});
}

function openSerial(path: string, baud: number): Link {
	// Raw 8N1 at `baud`, no flow control, no echo, not the controlling terminal.
	const flag = platform() === "darwin" ? "-f" : "-F";
	try {
		execFileSync("stty", [flag, path, String(baud), "raw", "-echo", "-echoe", "-echok", "-ixon", "-ixoff", "-crtscts", "clocal", "cread", "cs8", "-cstopb", "-parenb"], { stdio: ["ignore", "ignore", "pipe"] });
	}
	catch (error) {
		const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim().split("\n")[0];
		throw new Error(`${path}: cannot set up the serial port: ${stderr || (error as Error).message}`);
	}
	let fd: number;
	try {
		fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
	}
	catch (error) {
		throw new Error(`${path}: cannot open the serial port: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}
	let stream: ReadStream;
	try {
		stream = new ReadStream(fd);
	}
	catch (error) {
		closeSync(fd);
		throw new Error(`${path}: not a serial port (${(error as Error).message})`);
	}
	stream.setRawMode(true);
	return {
		where: path,
		hint: `is the board's pack link on this port, at ${baud} baud? docs/packs.md`,
		write: bytes => { stream.write(bytes); },
		onData: listener => { stream.on("data", listener); },
		onClose: listener => { stream.on("close", () => listener("")); },
		close: () => { stream.destroy(); },
	};
}
