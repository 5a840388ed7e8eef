/*
 * The diagnostics page shows the running car on its Car row and the last
 * pack offer's outcome on the row below (found in the simulator: at 320 px
 * one row for both cut a refusal off). PackInstaller gives both: carLine,
 * and lastOfferRow, which puts a refusal's reason before the pack it names
 * so a narrow row that is cut at its end still says why.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { PackInstaller } from "../modules/pack/installer.js";
import { LOG_BLOCKS, PackSlots } from "../modules/pack/slots.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { buildPack, builtInCar, newKey, tampered, type TestKey } from "./support/packs.js";

const BLOCK = 4096;
let key: TestKey;
let v1: Uint8Array;
let v09: Uint8Array;
beforeAll(() => {
	key = newKey();
	v1 = buildPack(key, { version: "1.0.0" });
	v09 = buildPack(key, { version: "0.9.0" });
});

function boot(flash: FakeFlash): PackInstaller {
	const packs = new PackInstaller(new PackSlots(flash), key.signature);
	packs.start(builtInCar());
	packs.started();
	return packs;
}

describe("the diagnostics page's car and pack-offer rows", () => {
	test("car-row-and-offer-row-apart", () => {
		const flash = new FakeFlash((LOG_BLOCKS + 2 * 4) * BLOCK, BLOCK, 1);
		let packs = boot(flash);
		expect([packs.carLine, packs.lastOfferRow]).toEqual(["xs-cluster demo car (built-in)", ""]);
		packs.offer(v1);
		packs.finish();
		expect(packs.carLine).toBe("xs-cluster demo car (built-in)");
		expect(packs.lastOfferRow).toBe("pack 'xs-cluster demo car' 1.0.0 installed in slot A; it starts at the next start");
		packs = boot(flash);
		expect(packs.carLine).toBe("xs-cluster demo car 1.0.0 (slot A)");

		// A tampered pack: the reason first on the row; the one-line form (pack send's reply, traces) as before.
		const bad = packs.offer(tampered(v1));
		expect(bad.reason).toBe(`refused: pack 'xr-cluster demo car' 1.0.0: wrong signature (changed after signing, or not signed by key ${bad.reason.slice(-9, -1)})`);
		expect(packs.lastOffer).toBe(bad.reason);
		expect(packs.lastOfferRow).toMatch(/^refused: wrong signature \(changed after signing, or not signed by key [0-9a-f]{8}\) \(pack 'xr-cluster demo car' 1\.0\.0\)$/);
		expect(packs.line).toBe(`xs-cluster demo car 1.0.0 (slot A); ${bad.reason}`);
		expect(packs.carLine).toBe("xs-cluster demo car 1.0.0 (slot A)");

		// An older version: why first.
		packs.offer(v09);
		expect(packs.lastOfferRow).toBe("refused: older than 1.0.0, which runs (pack 'xs-cluster demo car' 0.9.0)");
		// A layout refusal names no pack: as it is.
		packs.offer(v1.subarray(0, 3000));
		expect(packs.lastOfferRow).toBe(`refused: pack: truncated, 3000 of ${v1.length} bytes`);
		expect(packs.lastOfferRow).toBe(packs.lastOffer);
		// A transfer dropped on its way.
		packs.refuse("pack transfer: the connection closed after 512 of 4568 bytes; nothing changed");
		expect(packs.lastOfferRow).toBe("refused: pack transfer: the connection closed after 512 of 4568 bytes; nothing changed");
	});
});
