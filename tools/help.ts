/*
 * What `xs-cluster --help` and `xs-cluster COMMAND --help` print: usage,
 * options and examples for every command and subcommand. Every example runs
 * as written from the root of a clone (the demo car's DBC and log ship with
 * it). Node only.
 */

export const VERSION = "0.1.0";

const DEMO_DBC = "hosts/sim/demo/demo-car.dbc";
const DEMO_LOG = "test/fixtures/logs/demo-car.log";

export const MAIN_HELP = `xs-cluster: tools for the xs-cluster instrument cluster

Usage: xs-cluster COMMAND [options]

Commands:
  dbc check FILE.dbc          parse a DBC; a summary, or each problem as FILE:LINE:COL
  dbc dump FILE.dbc           messages, signals, bit layouts and value tables of a DBC
  dbc compile FILE.dbc -o P   compile a DBC into the decode plan the device loads
  decode --dbc FILE.dbc LOG   decode a CAN log into JSON lines or CSV
  stats LOG                   per-id counts, rates, periods and jitter of a log
  convert IN OUT              convert a log between candump, ASC, TRC and GVRET CSV
  plot --dbc F LOG SIGNAL...  signals over time, drawn into an SVG file
  monitor --dbc F --feed H:P  a live view of the decoded signals (a feed, stdin or a log)
  serve LOG                   replay a log over TCP as a live bus (socketcand, SLCAN)
  profile check|compile|show  vehicle profiles: check, compile, read back
  pack keygen|build|verify|send
                              signed vehicle packs for over-the-air updates

Logs: candump (-l/-L or screen), Vector ASC, PEAK TRC 1.0-2.1, SavvyCAN
GVRET CSV, told apart by content; - reads standard input.

Run 'xs-cluster COMMAND --help' for a command's options and examples.
A DBC for your car: https://github.com/commaai/opendbc (opendbc/dbc/); the
demo car's is ${DEMO_DBC}.

Options:
  -h, --help     show this help (or a command's, after the command)
  --version      show the version

Exit status: 0 success, 1 bad input (a file that cannot be read, a DBC with
problems, a log with no frame) or output that cannot be written, 2 a usage
mistake.
`;

/** Help of each command and subcommand, by its words ("decode", "dbc check"). */
export const COMMAND_HELP: Record<string, string> = {
	"dbc": `Usage: xs-cluster dbc check|dump|compile FILE.dbc [options]

  check FILE.dbc                parse a DBC: a one-line summary, or each problem
  dump FILE.dbc                 messages, signals, layouts and value tables
  compile FILE.dbc -o PLAN.bin  the decode plan the device loads

Run 'xs-cluster dbc COMMAND --help' for details.
`,
	"dbc check": `Usage: xs-cluster dbc check FILE.dbc

Parses a DBC file. Prints a one-line summary (messages, signals, nodes) and
exits 0, or prints each problem as FILE:LINE:COL: message and exits 1.
What cantools loads without strict is loaded, each problem it tolerates a
warning saying what was done: FILE:LINE:COL: warning: ... (--strict refuses them).

Example:
  xs-cluster dbc check ${DEMO_DBC}
`,
	"dbc dump": `Usage: xs-cluster dbc dump FILE.dbc [--messages NAME,...]

Prints what a DBC describes, as cantools dump does: each message with its id,
length, senders and cycle time; each signal's start bit, length, byte order,
type, scale, offset, range, unit, receivers and value table; and a picture of
the message's bits (which signal owns each bit, most significant bit first).

Options:
  --messages NAME,...   only these messages (names or * patterns)

Examples:
  xs-cluster dbc dump ${DEMO_DBC}
  xs-cluster dbc dump ${DEMO_DBC} --messages ENGINE
`,
	"dbc compile": `Usage: xs-cluster dbc compile FILE.dbc -o PLAN.bin [--messages NAME,...]

Compiles a DBC (or some of its messages) into the binary decode plan the
device loads; the device never parses DBC text.

Options:
  -o, --output PLAN.bin   where to write the plan (required)
  --messages NAME,...     only these messages

Example:
  xs-cluster dbc compile ${DEMO_DBC} -o /tmp/demo.plan --messages ENGINE,WHEEL_SPEED
`,
	"decode": `Usage: xs-cluster decode --dbc FILE.dbc [options] LOG|-

Decodes a CAN log with the device's own decoder: one JSON line per decoded
frame (physical values, factor and offset applied), or CSV rows, on standard
output; malformed lines (FILE:LINE: why) and a summary on standard error.
Ids are hex as candump writes them (1C4, 18FEF100). Output is live when the
input is a pipe or a terminal: each record is written as it is decoded.
Ctrl-C stops and prints the summary.

Options:
  --dbc FILE.dbc          the DBC to decode with (required)
  --format jsonl|csv      JSON lines (default), or CSV: t,id,extended,message,signal,value
  --choices               value-table names ("D") instead of raw numbers
  --input-format FORMAT   candump, asc, trc or gvret-csv instead of telling by content
  --messages NAME,...     only these messages (names or * patterns)
  --signals NAME,...      only these signals (NAME, MESSAGE.NAME or * patterns)
  --ids ID,...            only these CAN ids (hex: 1C4,18FEF100)
  --start S, --end S      only frames from S (inclusive) to S (exclusive): seconds
                          after the log's first frame, or a time as the log
                          writes it (from 1000000000 on, e.g. 1700000012.5)

Examples:
  xs-cluster decode --dbc ${DEMO_DBC} ${DEMO_LOG}
  xs-cluster decode --dbc ${DEMO_DBC} --signals 'Engine*,VehicleSpeed' --format csv ${DEMO_LOG}
  xs-cluster decode --dbc ${DEMO_DBC} --ids 1C4 --start 0 --end 0.05 ${DEMO_LOG}
  candump -L can0 | xs-cluster decode --dbc car.dbc -
`,
	"stats": `Usage: xs-cluster stats [--json] [--input-format FORMAT] LOG|-

For each CAN id of a log: frame count, frames per second, the mean period
between frames, the cycle-time jitter (standard deviation of the period), the
largest deviation from the mean, and the DLCs seen. Ids are hex as candump
writes them. The first look at an unknown car's log: steady periods are
cyclic messages. Reading a live capture (a pipe or a terminal), Ctrl-C ends it
and prints the table of what was read.

On a bad clock (timestamps that go back, or jump more than 60 s ahead: merged
captures, a clock set while logging) a warning names the line of the first of
each kind and counts them; the duration counts in-order steps only, periods
across such a step are left out, and --json says how many (its "clock").

Options:
  --json                  the same as JSON
  --input-format FORMAT   candump, asc, trc or gvret-csv instead of telling by content

Examples:
  xs-cluster stats ${DEMO_LOG}
  xs-cluster stats --json test/fixtures/logs/demo-car.asc
`,
	"convert": `Usage: xs-cluster convert [options] IN OUT

Converts a CAN log between the formats xs-cluster reads and writes, as
python-can's logconvert does: candump -l (.log), Vector ASC (.asc), PEAK TRC
2.1 (.trc) and SavvyCAN GVRET CSV (.csv). Formats are told by IN's content and
OUT's extension; - is standard input or output. Every classic CAN frame is
kept with its time; remote and error frames where the format has them.

Options:
  --input-format FORMAT    candump, asc, trc or gvret-csv for IN
  --output-format FORMAT   candump, asc, trc or gvret-csv for OUT (needed for -)
  --channel NAME           interface name in a candump log (default can0)

Examples:
  xs-cluster convert ${DEMO_LOG} /tmp/demo-car.asc
  xs-cluster convert test/fixtures/logs/demo-car.asc /tmp/demo-car.trc
  xs-cluster convert --output-format candump test/fixtures/logs/demo-car.csv -
`,
	"plot": `Usage: xs-cluster plot --dbc FILE.dbc [options] LOG|- SIGNAL...

Draws signals over time, as cantools plot does: one panel per signal on a
shared time axis (seconds after the log's first frame), with its name, unit
and value axis; a signal with a value table as steps, its names on the axis.
SIGNAL is a name, MESSAGE.NAME or a * pattern. Written as SVG (a browser shows
it; rsvg-convert or Inkscape turn it into PNG).

Options:
  --dbc FILE.dbc          the DBC to decode with (required)
  -o, --output OUT.svg    where to write (default: the log's name with .svg)
  --start S, --end S      only this time window, as decode takes it
  --input-format FORMAT   candump, asc, trc or gvret-csv instead of telling by content

Examples:
  xs-cluster plot --dbc ${DEMO_DBC} hosts/sim/demo/demo-drive.log VehicleSpeed EngineSpeed GearLever -o /tmp/drive.svg
  xs-cluster plot --dbc ${DEMO_DBC} hosts/sim/demo/demo-drive.log 'WHEEL_SPEED.*' -o /tmp/wheels.svg
`,
	"monitor": `Usage: xs-cluster monitor --dbc FILE.dbc [--feed HOST:PORT | LOG | -]

A live view of the decoded signals, like cantools monitor: each message seen
(id, name, period, frame count) with the latest value of each signal, redrawn
ten times a second. A message not seen for 3 of its periods shows -- for its
values, as the cluster does. On a terminal q or Ctrl-C quits; into a pipe or a
file the last view is printed once, when the input ends or at Ctrl-C.

Sources:
  --feed HOST:PORT        an SLCAN feed over TCP: xs-cluster serve, a Wi-Fi CAN adapter
                          (default port 29536; the monitor sends O to start it)
  -                       standard input, e.g. candump -L can0 | xs-cluster monitor --dbc car.dbc -
  LOG                     a log file: its last state

Options:
  --dbc FILE.dbc          the DBC to decode with (required)
  --input-format FORMAT   candump, asc, trc or gvret-csv for standard input or LOG

Examples:
  xs-cluster monitor --dbc ${DEMO_DBC} ${DEMO_LOG}
  xs-cluster monitor --dbc ${DEMO_DBC} --feed 127.0.0.1:29536     (with xs-cluster serve running)
`,
	"serve": `Usage: xs-cluster serve LOG [options]

Replays a log over TCP as a live bus: socketcand (python-can, SavvyCAN) or
SLCAN over TCP (Wi-Fi adapters, the simulator's --feed), told apart per
connection. When the log has played (without --loop), each connection stays
open until its client has read every frame and disconnects; Ctrl-C stops.

Options:
  --rate 1x|max|FACTOR     real time (default), as fast as clients read, or FACTOR times as fast
  --loop                   start again at the end
  --port N                 TCP port (default 29536, socketcand's; 0 for any free one)
  --host ADDRESS           address to listen on (default 127.0.0.1)
  --protocol auto|socketcand|slcan   (default auto: a client that speaks first is SLCAN)
  --input-format FORMAT    candump, asc, trc or gvret-csv instead of telling by content
  --no-beacon              do not announce the server to SavvyCAN on loopback

Examples:
  xs-cluster serve ${DEMO_LOG} --loop
  xs-cluster serve hosts/sim/demo/demo-drive.log --rate 4x --protocol slcan
`,
	"profile": `Usage: xs-cluster profile check|compile|show ...

  check [--dbc FILE.dbc] PROFILE.json                  check a vehicle profile
  compile [--dbc FILE.dbc] PROFILE.json -o CAR.vehicle  compile it for the device
  show CAR.vehicle                                      what a compiled profile maps

Run 'xs-cluster profile COMMAND --help' for details.
`,
	"profile check": `Usage: xs-cluster profile check [--dbc FILE.dbc] PROFILE.json

Checks a vehicle profile against the car's DBC: every problem as
PROFILE: key.path: message. Without --dbc, the profile's "dbc" is read beside
the profile; an OBD-II-only profile needs no DBC. Profiles are JSON; comments
and trailing commas are accepted, and a syntax error is named as FILE:LINE:COL.

Examples:
  xs-cluster profile check hosts/sim/demo/demo-car.json
  xs-cluster profile check profiles/obd2-generic.json
`,
	"profile compile": `Usage: xs-cluster profile compile [--dbc FILE.dbc] PROFILE.json -o CAR.vehicle

Checks and compiles a vehicle profile into what the device loads: CAR.vehicle
(bindings) and CAR.plan (decode plan of the messages used), side by side.

Options:
  --dbc FILE.dbc           the car's DBC (default: the profile's "dbc", beside it)
  -o, --output CAR.vehicle where to write (required)

Examples:
  xs-cluster profile compile hosts/sim/demo/demo-car.json -o /tmp/demo.vehicle
  xs-cluster profile compile profiles/obd2-generic.json -o /tmp/obd2.vehicle
`,
	"profile show": `Usage: xs-cluster profile show CAR.vehicle

Prints what a compiled profile maps, read back from CAR.vehicle and the
CAR.plan beside it.

Example:
  xs-cluster profile show /tmp/demo.vehicle     (after the profile compile example)
`,
	"pack": `Usage: xs-cluster pack keygen|build|verify|send ...

  keygen [-o DIR]                                   a signing key pair
  build [--dbc F.dbc] PROFILE.json --key private.pem -o CAR.xspack   a signed pack
  verify [--key public.pem] CAR.xspack              check a pack as the device does
  send CAR.xspack --port /dev/ttyUSB0 | --tcp HOST:PORT   to a cluster, over its pack link

A pack is a car's compiled profile and decode plan (and optionally a theme),
versioned and signed (ECDSA P-256, SHA-256), that a cluster takes over MQTT
or from this machine (pack send) and installs at its next start;
docs/packs.md describes the format.
Run 'xs-cluster pack COMMAND --help' for details.
`,
	"pack keygen": `Usage: xs-cluster pack keygen [-o DIR]

Makes a P-256 key pair: DIR/private.pem (signs packs; readable by you only)
and DIR/public.pem, and prints the key's id and the "packKey" value to build
into the firmware's manifest config. Never overwrites a key.

Options:
  -o, --output DIR   where to write the two files (default: the current folder)

Example:
  xs-cluster pack keygen -o /tmp/keys
`,
	"pack build": `Usage: xs-cluster pack build [--dbc FILE.dbc] PROFILE.json --key private.pem -o CAR.xspack

Compiles a vehicle profile with its DBC (as profile compile does), bundles
the compiled profile and plan with a version and an optional theme, signs
the pack and checks it as the device will before writing it.

Options:
  --dbc FILE.dbc           the car's DBC (default: the profile's "dbc", beside it)
  --key private.pem        the signing key (xs-cluster pack keygen)
  --theme THEME.json       a theme (a JSON object) to carry with the car
  --version V              the pack's version, up to 24 characters (default 1)
  -o, --output CAR.xspack  where to write (required)

Example:
  xs-cluster pack build ${DEMO_DBC.replace(".dbc", ".json")} --key /tmp/keys/private.pem --version 1.0.0 -o /tmp/demo.xspack
`,
	"pack verify": `Usage: xs-cluster pack verify [--key public.pem] CAR.xspack

Checks a pack as a cluster does before installing it: its layout, the
signature (with --key; a private key file works too), the plan and profile
versions, and that the plan and profile load and belong together. Prints
one line; a refused pack's one line says why, and the exit status is 1.

Options:
  --key public.pem   the key the firmware trusts

Example:
  xs-cluster pack verify --key /tmp/keys/public.pem /tmp/demo.xspack
`,
	"pack send": `Usage: xs-cluster pack send CAR.xspack --port /dev/ttyUSB0 [--baud N] | --tcp HOST:PORT

Sends a pack to a cluster over its pack link: the board's serial port, or the
simulator's TCP port (npm start -- --pack-link). The cluster checks it as it
checks a pack from MQTT, writes it to its unused slot and runs it from its
next start. Prints the cluster's one line; a refused pack's line says why,
and the exit status is 1.

Options:
  --port DEVICE      the serial port (raw 8N1, set up with stty)
  --baud N           its bit rate (default 115200)
  --tcp HOST:PORT    the simulator's pack link
  --force            install even an older version of the car that runs
  --timeout S        seconds to wait for each answer (default 5)

Example:
  xs-cluster pack send /tmp/demo.xspack --tcp 127.0.0.1:7071
`,
};

/** The commands that read a DBC through tools/dbc-file.ts, and so take its options. */
const READS_DBC = new Set(["dbc check", "dbc dump", "dbc compile", "decode", "plot", "monitor", "profile check", "profile compile", "pack build"]);

/** tools/dbc-file.ts's DBC_OPTIONS, as every command that reads a DBC takes them. */
const DBC_READING = `Reading the DBC:
  --strict          refuse what cantools loads only without strict (a signal past its
                    message's length, a loose multiplexer, a statement cut by the end of
                    the file, ...); without it those are warnings saying what was done
  --encoding NAME   utf-8 or windows-1252 (also utf8, cp1252, latin1); by default the
                    file's content says which

`;

/** The help for `words` (a command, or a command and a subcommand), or undefined when there is none. */
export function helpFor(words: string[]): string | undefined {
	for (let n = Math.min(words.length, 2); n > 0; n--) {
		const key = words.slice(0, n).join(" ");
		const text = COMMAND_HELP[key];
		if (text) {
			if (!READS_DBC.has(key))
				return text;
			const examples = text.search(/^Examples?:/m);
			return examples < 0 ? text + "\n" + DBC_READING : text.slice(0, examples) + DBC_READING + text.slice(examples);
		}
	}
	return undefined;
}
