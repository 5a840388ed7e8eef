/*
 * Getting recordings off an ESP32's flash: hosts/esp32/rec-extract, built with
 * the host `cc` against the Moddable SDK's own littlefs (the code the device
 * runs), reads an image of the xsc-rec partition written the way the device
 * writes it (test/native/lfs-recording.c: the manifest's littlefs settings,
 * 4 KB writes, close-and-reopen commits) and gives back each recording byte
 * for byte, frame for frame. It refuses what is not such an image. Skipped,
 * saying why, without `cc` or without the SDK ($MODDABLE, else /opt/moddable).
 * Node (vitest).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { CandumpParser } from "../modules/can/candump.js";
import { FrameRing } from "../modules/can/ring.js";
import { hasCompiler } from "./native/engine-harness.js";
import { repoRoot } from "./shared-data.js";

const littlefs = join(process.env.MODDABLE ?? "/opt/moddable", "modules/files/file/littlefs");
const haveSdk = existsSync(join(littlefs, "lfs.c"));
const available = haveSdk && hasCompiler();
const title = available ? "rec-extract (host cc, the SDK's littlefs)"
	: `rec-extract (skipped: ${haveSdk ? "no C compiler `cc` on PATH (Debian: apt-get install build-essential)" : `no Moddable SDK littlefs at ${littlefs} (set $MODDABLE to a Moddable SDK 8.2 checkout)`})`;

(available ? describe : describe.skip)(title, () => {
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-rec-extract-"));
	const extract = join(dir, "rec-extract"), writer = join(dir, "lfs-recording");

	beforeAll(() => {
		const littlefsSources = [join(littlefs, "lfs.c"), join(littlefs, "lfs_util.c")];
		const include = ["-I", join(repoRoot, "hosts/esp32/rec-extract"), "-I", littlefs];
		execFileSync("cc", ["-O1", ...include, join(repoRoot, "hosts/esp32/rec-extract/rec-extract.c"), ...littlefsSources, "-o", extract]);
		execFileSync("cc", ["-O1", ...include, join(repoRoot, "test/native/lfs-recording.c"), ...littlefsSources, "-o", writer]);
	}, 120_000);

	test("recordings-come-out-byte-for-byte-and-frame-for-frame", () => {
		const log = readFileSync(join(repoRoot, "test/fixtures/logs/demo-car.log"));
		// A recording of a few hundred KB: many 4 KB writes and commits, several littlefs blocks.
		let big = "";
		for (let i = 0; big.length < 300_000; i++)
			big += `(${String(1700000000 + Math.floor(i / 1000)).padStart(10, "0")}.${String((i % 1000) * 1000).padStart(6, "0")}) can0 ${(0x100 + (i % 0x600)).toString(16).toUpperCase()}#${(i % 0x10000).toString(16).toUpperCase().padStart(4, "0")}00112233\n`;
		writeFileSync(join(dir, "one.log"), log);
		writeFileSync(join(dir, "two.log"), big, "latin1");
		const image = join(dir, "xsc-rec.bin"), out = join(dir, "out");
		mkdirSync(out);
		execFileSync(writer, [image, join(dir, "one.log"), join(dir, "two.log")]);
		expect(readFileSync(image).length).toBe(0x150000); // the partition's size in hosts/esp32/partitions.csv
		const listed = execFileSync(extract, [image, out], { encoding: "utf8" });
		expect(listed).toBe(`${out}/can-0001.log ${log.length}\n${out}/can-0002.log ${big.length}\n`);
		expect(readFileSync(join(out, "can-0001.log")).equals(log)).toBe(true);
		expect(readFileSync(join(out, "can-0002.log"), "latin1")).toBe(big);
		const ring = new FrameRing(1 << 14), parser = new CandumpParser(ring);
		parser.feed(readFileSync(join(out, "can-0002.log")));
		parser.finish();
		expect(parser.malformed).toBe(0);
		expect(ring.length).toBe(big.split("\n").length - 1);
	});

	test("what-is-not-an-xsc-rec-image-is-refused-and-left-alone", () => {
		const blank = join(dir, "blank.bin");
		writeFileSync(blank, Buffer.alloc(0x150000, 0xFF)); // an erased partition: never recorded
		const erased = spawnSync(extract, [blank, dir], { encoding: "utf8" });
		expect(erased.status).toBe(1);
		expect(erased.stderr).toMatch(/not a littlefs image with 4 KB blocks/);
		expect(readFileSync(blank).every(byte => byte === 0xFF)).toBe(true);
		const short = spawnSync(extract, [join(repoRoot, "README.md"), dir], { encoding: "utf8" });
		expect(short.status).toBe(1);
		expect(short.stderr).toMatch(/whole number of 4 KB blocks/);
		expect(spawnSync(extract, [], { encoding: "utf8" }).status).toBe(2);
	});
});
