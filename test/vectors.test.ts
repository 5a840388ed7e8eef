/*
 * The decoder against cantools, the reference: every decode vector in
 * ../shared/data/vectors.jsonl must give cantools' physical values.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { describeSharedData, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";


/** Equal to floating-point rounding: cantools computes in Python floats, as we do, but may order operations differently. */
function close(actual: number, expected: number): boolean {
	if (actual === expected)
		return true;
	return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

describeSharedData("decode vectors from cantools", () => {
	test("every-vector-decodes-to-cantools-values", () => {
		const vectors = cantoolsVectors();
		expect(vectors.length).toBeGreaterThan(4000);
		const decoders = new Map<string, Decoder>();
		const failures: string[] = [];
		let signalsChecked = 0;
		const frame = new CanFrame();
		for (const vector of vectors) {
			let decoder = decoders.get(vector.dbc);
			if (!decoder) {
				const database = parseDbcOrThrow(readFileSync(sharedData("dbc", vector.dbc), "latin1"), vector.dbc);
				decoder = new Decoder(new DecodePlan(compilePlan(database).buffer));
				decoders.set(vector.dbc, decoder);
			}
			const bytes = Buffer.from(vector.data, "hex");
			frame.id = vector.id;
			frame.flags = vector.extended ? FrameFlag.extended : 0;
			frame.dlc = bytes.length;
			frame.data.fill(0).set(bytes);
			const message = decoder.decode(frame);
			if (message < 0) {
				failures.push(`${vector.dbc} 0x${vector.id.toString(16)}: message not found`);
				continue;
			}
			const plan = decoder.plan;
			const decoded: Record<string, number> = {};
			const first = plan.firstSignal(message);
			for (let s = first; s < first + plan.signalCountOf(message); s++)
				if (decoder.present[s])
					decoded[plan.signalName(s)] = decoder.store.value(s);
			expect(Object.keys(decoded).sort(), `${vector.dbc} ${vector.id} ${vector.data}: signals present`).toEqual(Object.keys(vector.signals).sort());
			for (const [name, expected] of Object.entries(vector.signals)) {
				signalsChecked++;
				if (!close(decoded[name], expected))
					failures.push(`${vector.dbc} 0x${vector.id.toString(16)} ${vector.data} ${name}: got ${decoded[name]}, cantools ${expected}`);
			}
		}
		expect(failures.slice(0, 20)).toEqual([]);
		expect(signalsChecked).toBeGreaterThan(20000);
	});
});
