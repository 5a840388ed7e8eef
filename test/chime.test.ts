/*
 * The alert chime: tones synthesised once (their samples, frequency by zero
 * crossings, envelope), the patterns per severity on a fake clock (timing,
 * bounded repeats, silenced by acknowledgement, a clearing alert or muting),
 * the chime driven by AlertMonitor's takeChime as main.ts drives it, and the
 * same code on the XS engine: the same samples, and no heap used per tick.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { AlertMonitor, Severity, type AlertRule } from "../modules/cluster/alerts.js";
import { CHIME_PATTERNS, CHIME_TONES, Chime, ChimeTone, ToneBank, synthesizeTone, toneSamples, type ChimeOutput, type ToneSpec } from "../modules/cluster/chime.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { FakeClock } from "./fixtures/clock.js";
import { describeOnXs, heapOfWork } from "./support/xs-suite.js";

/** The display clock's period in the cluster: 30 ticks a second. */
const TICK_MS = 33;

/** Sign changes between consecutive non-zero samples. */
function zeroCrossings(samples: Int16Array): number {
	let crossings = 0, sign = 0;
	for (const sample of samples) {
		if (sample === 0)
			continue;
		const s = sample > 0 ? 1 : -1;
		if (sign !== 0 && s !== sign)
			crossings++;
		sign = s;
	}
	return crossings;
}

function peak(samples: Int16Array): number {
	let max = 0;
	for (const sample of samples)
		max = Math.max(max, Math.abs(sample));
	return max;
}

function rms(samples: Int16Array): number {
	let sum = 0;
	for (const sample of samples)
		sum += sample * sample;
	return Math.sqrt(sum / samples.length);
}

describe("tone synthesis", () => {
	const steady: ToneSpec = { name: "steady", frequency: 1000, durationMs: 100, amplitude: 0.5, decayMs: Infinity };

	test("samples-are-the-sine-scaled-to-the-amplitude", () => {
		const samples = new Int16Array(toneSamples(8000, 100));
		expect(synthesizeTone(samples, 0, 8000, steady)).toBe(800);
		// 1 kHz at 8 kHz: eight samples a cycle, 0, +a/√2, +a, +a/√2, 0, ... once the 4 ms ramp is over.
		const a = 0.5 * 32767;
		for (let n = 40; n < 48; n++)
			expect(samples[n]).toBeCloseTo(a * Math.sin(2 * Math.PI * n / 8), -0.5); // within 1 LSB
		expect(Math.abs(samples[42] - a)).toBeLessThanOrEqual(0.5);
		expect(Math.abs(samples[46] + a)).toBeLessThanOrEqual(0.5);
		expect(samples[44]).toBe(0);
	});

	test("frequency-by-zero-crossings", () => {
		for (const sampleRate of [11025, 44100]) {
			for (const spec of CHIME_TONES) {
				const samples = new Int16Array(toneSamples(sampleRate, spec.durationMs));
				synthesizeTone(samples, 0, sampleRate, spec);
				const seconds = samples.length / sampleRate;
				const measured = zeroCrossings(samples) / 2 / seconds;
				expect(Math.abs(measured - spec.frequency), `${spec.name} at ${sampleRate} Hz: ${measured.toFixed(1)} Hz`).toBeLessThan(2 / seconds);
			}
		}
	});

	test("starts-and-ends-at-zero-and-decays", () => {
		const sampleRate = 11025;
		const spec = CHIME_TONES[ChimeTone.soft];
		const samples = new Int16Array(toneSamples(sampleRate, spec.durationMs));
		synthesizeTone(samples, 0, sampleRate, spec);
		expect(samples[0]).toBe(0);
		expect(samples[samples.length - 1]).toBe(0);
		// No click: the first and last 4 ms stay below the ramp.
		for (let n = 0; n < 44; n++) {
			expect(Math.abs(samples[n])).toBeLessThanOrEqual(Math.ceil(32767 * spec.amplitude * n / 44) + 1);
			expect(Math.abs(samples[samples.length - 1 - n])).toBeLessThanOrEqual(Math.ceil(32767 * spec.amplitude * n / 44) + 1);
		}
		expect(peak(samples)).toBeLessThanOrEqual(Math.round(32767 * spec.amplitude));
		expect(peak(samples)).toBeGreaterThan(0.9 * 32767 * spec.amplitude);
		// A 90 ms time constant: 100 ms later the level is e^(-100/90) of what it was.
		const at = (ms: number) => rms(samples.subarray(Math.round(ms * sampleRate / 1000), Math.round((ms + 20) * sampleRate / 1000)));
		expect(at(150) / at(50)).toBeCloseTo(Math.exp(-100 / 90), 1);
	});

	test("a-steady-tone-keeps-its-level", () => {
		const samples = new Int16Array(toneSamples(11025, 100));
		synthesizeTone(samples, 0, 11025, steady);
		const first = rms(samples.subarray(100, 400)), last = rms(samples.subarray(700, 1000));
		expect(Math.abs(first - last) / first).toBeLessThan(0.01);
		expect(first).toBeCloseTo(0.5 * 32767 / Math.SQRT2, -2);
	});

	test("writes-only-its-own-samples", () => {
		const samples = new Int16Array(1200).fill(7);
		const count = synthesizeTone(samples, 100, 8000, steady);
		expect(samples[99]).toBe(7);
		expect(samples[100 + count]).toBe(7);
		expect(samples.subarray(100, 100 + count).some(s => s !== 7)).toBe(true);
	});

	test("refuses-what-it-cannot-play", () => {
		expect(() => synthesizeTone(new Int16Array(800), 0, 8000, { ...steady, frequency: 4000 })).toThrow(RangeError); // Nyquist
		expect(() => synthesizeTone(new Int16Array(799), 0, 8000, steady)).toThrow(RangeError);
		expect(() => synthesizeTone(new Int16Array(800), 1, 8000, steady)).toThrow(RangeError);
		expect(() => synthesizeTone(new Int16Array(800), 0, 8000, { ...steady, amplitude: 1.5 })).toThrow(RangeError);
	});

	test("bank-lays-the-tones-end-to-end-in-the-storage-it-is-given", () => {
		const sampleRate = 11025;
		const needed = ToneBank.samplesNeeded(sampleRate);
		expect(needed).toBe(3308 + 2756 + 2756 + 1654);
		const storage = new Int16Array(new SharedArrayBuffer(needed * 2));
		const bank = new ToneBank(sampleRate, CHIME_TONES, storage);
		expect(bank.samples).toBe(storage);
		expect(Array.from(bank.offset)).toEqual([0, 3308, 6064, 8820]);
		expect(Array.from(bank.count)).toEqual([3308, 2756, 2756, 1654]);
		expect(bank.durationMs[ChimeTone.urgent]).toBeCloseTo(150, 0);
		// Each tone is the one synthesizeTone makes on its own.
		const alone = new Int16Array(bank.count[ChimeTone.high]);
		synthesizeTone(alone, 0, sampleRate, CHIME_TONES[ChimeTone.high]);
		expect(bank.samples.subarray(bank.offset[ChimeTone.high], bank.offset[ChimeTone.high] + alone.length)).toEqual(alone);
		expect(() => new ToneBank(sampleRate, CHIME_TONES, new Int16Array(needed - 1))).toThrow(RangeError);
	});
});

/** An output that logs what it is told, with the fake clock's time. */
class LoggingOutput implements ChimeOutput {
	readonly log: { at: number; tone: number }[] = [];
	stops: number[] = [];
	constructor(private readonly clock: FakeClock) {}
	start(tone: number): void {
		this.log.push({ at: this.clock.now(), tone });
	}
	stop(): void {
		this.stops.push(this.clock.now());
	}
	/** Tones started, as "tone@ms". */
	get starts(): string[] {
		return this.log.map(e => `${CHIME_TONES[e.tone].name}@${e.at}`);
	}
}

describe("chime patterns", () => {
	let clock: FakeClock, output: LoggingOutput, chime: Chime;
	const bank = new ToneBank(11025);
	/** Ticks the display clock for `ms` with the pop-up showing `shown`. */
	const run = (ms: number, shown: number) => {
		const end = clock.now() + ms;
		while (clock.now() < end)
			chime.service(clock.advance(TICK_MS), shown);
	};
	beforeEach(() => {
		clock = new FakeClock(1000);
		output = new LoggingOutput(clock);
		chime = new Chime(bank, output);
	});

	test("info-is-one-soft-tone", () => {
		chime.play(Severity.info, clock.now());
		chime.service(clock.now(), Severity.info);
		run(3000, Severity.info);
		expect(output.starts).toEqual(["soft@1000"]);
		// Stopped once the tone has sounded, not before.
		expect(output.stops.length).toBe(1);
		expect(output.stops[0]).toBeGreaterThanOrEqual(1300);
		expect(output.stops[0]).toBeLessThan(1300 + TICK_MS + 1);
		expect(chime.playing).toBe(-1);
	});

	test("warning-is-two-tones-high-then-low", () => {
		chime.play(Severity.warning, clock.now());
		chime.service(clock.now(), Severity.warning);
		run(5000, Severity.warning);
		expect(output.log.map(e => e.tone)).toEqual([ChimeTone.high, ChimeTone.low]);
		expect(output.log[0].at).toBe(1000);
		// The second tone 300 ms after the first, on the first tick at or after it.
		expect(output.log[1].at - 1300).toBeGreaterThanOrEqual(0);
		expect(output.log[1].at - 1300).toBeLessThan(TICK_MS);
		expect(output.stops.length).toBe(1);
	});

	test("critical-repeats-three-tones-a-bounded-number-of-rounds", () => {
		const pattern = CHIME_PATTERNS[Severity.critical];
		chime.play(Severity.critical, clock.now());
		chime.service(clock.now(), Severity.critical);
		run(60000, Severity.critical); // still on the pop-up, never acknowledged
		expect(output.log.length).toBe(3 * pattern.rounds);
		expect(output.log.every(e => e.tone === ChimeTone.urgent)).toBe(true);
		for (let round = 0; round < pattern.rounds; round++) {
			for (let step = 0; step < 3; step++) {
				const due = 1000 + round * pattern.periodMs + pattern.onsetMs[step];
				const at = output.log[round * 3 + step].at;
				expect(at - due).toBeGreaterThanOrEqual(0);
				expect(at - due).toBeLessThan(TICK_MS);
			}
		}
		// Quiet within about 9 s of the alert, the output released.
		const last = output.log[output.log.length - 1].at;
		expect(last).toBeLessThan(1000 + 9000);
		expect(output.stops).toEqual([expect.any(Number)]);
		expect(output.stops[0]).toBeGreaterThanOrEqual(last + 150);
		expect(chime.tonesPlayed).toBe(18);
	});

	test("acknowledging-stops-the-repeats-at-once", () => {
		chime.play(Severity.critical, clock.now());
		chime.service(clock.now(), Severity.critical);
		run(1600, Severity.critical); // the first round and the first tone of the second
		expect(output.log.length).toBe(4);
		chime.service(clock.advance(TICK_MS), -1); // the driver acknowledged: no pop-up any more
		expect(output.stops).toEqual([clock.now()]);
		expect(chime.playing).toBe(-1);
		run(20000, -1);
		expect(output.log.length).toBe(4);
		expect(output.stops.length).toBe(1);
	});

	test("a-less-severe-pop-up-stops-it-too", () => {
		// The critical band cleared and the warning band of the same alert is on the pop-up.
		chime.play(Severity.critical, clock.now());
		run(500, Severity.critical);
		run(5000, Severity.warning);
		expect(output.log.length).toBe(3);
		expect(output.stops.length).toBe(1);
	});

	test("nothing-plays-when-muted", () => {
		chime.muted = true;
		for (const severity of [Severity.info, Severity.warning, Severity.critical]) {
			chime.play(severity, clock.now());
			run(10000, Severity.critical);
		}
		expect(output.log).toEqual([]);
		expect(chime.playing).toBe(-1);
		// Unmuted, the next request plays.
		chime.muted = false;
		chime.play(Severity.warning, clock.now());
		run(1000, Severity.warning);
		expect(output.log.length).toBe(2);
	});

	test("muting-silences-a-pattern-sounding", () => {
		chime.play(Severity.critical, clock.now());
		run(300, Severity.critical);
		expect(output.log.length).toBe(2);
		chime.muted = true;
		expect(output.stops).toEqual([clock.now()]);
		run(20000, Severity.critical);
		expect(output.log.length).toBe(2);
	});

	test("a-more-severe-request-takes-over-a-less-severe-one-waits", () => {
		chime.play(Severity.warning, clock.now());
		chime.service(clock.now(), Severity.warning);
		run(99, Severity.warning);
		chime.play(Severity.critical, clock.now()); // takes over before the low tone
		run(1000, Severity.critical);
		chime.play(Severity.info, clock.now()); // does not interrupt the critical pattern
		run(1000, Severity.critical);
		const names = output.starts.map(s => s.split("@")[0]);
		expect(names.slice(0, 4)).toEqual(["high", "urgent", "urgent", "urgent"]);
		expect(names).not.toContain("low");
		expect(names).not.toContain("soft");
		expect(chime.playing).toBe(Severity.critical);
	});

	test("a-stalled-tick-starts-one-tone-not-a-pile", () => {
		chime.play(Severity.critical, clock.now());
		chime.service(clock.advance(1000), Severity.critical); // a second without a tick
		expect(output.log.length).toBe(1);
		run(600, Severity.critical);
		// The missed tones of the first round are skipped, the second round is on time.
		expect(output.log.length).toBe(2);
		expect(output.log[1].at - 2500).toBeLessThan(TICK_MS);
	});

	test("refuses-patterns-it-cannot-play", () => {
		expect(() => new Chime(bank, output, [{ tones: [9], onsetMs: [0], rounds: 1, periodMs: 0 }])).toThrow(RangeError);
		expect(() => new Chime(bank, output, [{ tones: [0, 1], onsetMs: [0, 0], rounds: 1, periodMs: 0 }])).toThrow(RangeError);
		expect(() => new Chime(bank, output, [{ tones: [0], onsetMs: [0], rounds: 3, periodMs: 100 }])).toThrow(RangeError); // rounds overlap
	});
});

describe("chime driven by the alert monitor", () => {
	const rules: AlertRule[] = [
		{ id: "hot", group: "coolant", message: "Engine hot", severity: Severity.warning, conditions: [{ quantity: Quantity.coolantTemp, above: 110, hysteresis: 3 }], debounceMs: 3000, clearMs: 5000 },
		{ id: "overheat", group: "coolant", message: "Overheating", severity: Severity.critical, conditions: [{ quantity: Quantity.coolantTemp, above: 120, hysteresis: 3 }], debounceMs: 2000, clearMs: 5000 },
	];
	let clock: FakeClock, output: LoggingOutput, chime: Chime, alerts: AlertMonitor, coolant: number;
	/** What main.ts does each display tick after model.update. */
	const tick = () => {
		const now = clock.advance(TICK_MS);
		alerts.update(now);
		chime.play(alerts.takeChime(), now);
		const top = alerts.top();
		chime.service(now, top < 0 ? -1 : alerts.rules[top].severity);
	};
	const run = (ms: number) => {
		const end = clock.now() + ms;
		while (clock.now() < end)
			tick();
	};
	beforeEach(() => {
		clock = new FakeClock();
		output = new LoggingOutput(clock);
		chime = new Chime(new ToneBank(11025), output);
		coolant = 90;
		alerts = new AlertMonitor({ read: q => q === Quantity.coolantTemp ? coolant : NaN }, rules);
	});

	test("a-warning-chimes-once-when-the-pop-up-appears", () => {
		run(1000);
		coolant = 112;
		run(20000);
		expect(output.log.map(e => e.tone)).toEqual([ChimeTone.high, ChimeTone.low]);
		expect(output.log[0].at).toBeGreaterThanOrEqual(4000); // after the 3 s debounce
	});

	test("critical-chimes-until-acknowledged-and-again-at-the-reminder", () => {
		coolant = 125;
		run(3000);
		expect(alerts.rules[alerts.top()].id).toBe("overheat");
		const before = output.log.length;
		expect(before).toBeGreaterThanOrEqual(3);
		expect(alerts.acknowledgeTop(clock.now())).toBeGreaterThanOrEqual(0);
		tick();
		expect(chime.playing).toBe(-1);
		run(50000);
		expect(output.log.length).toBe(before);
		// Still overheating a minute after the acknowledgement: the pop-up and the chime come back.
		run(12000);
		expect(output.log.length).toBeGreaterThan(before);
		expect(chime.playing).toBe(Severity.critical);
	});
});

/** The script XS runs: the tone bank, and the display-tick loop of a chime driven through every pattern. */
const DRIVER = `
import { Chime, ToneBank } from "./modules/cluster/chime.js";

let starts = 0, stops = 0, now = 0;
const output = { start(tone) { starts++; }, stop() { stops++; } };
let chime, bank;

function reply(numbers) {
	return new Float64Array(numbers).buffer;
}

globalThis.setup = function () {
	bank = new ToneBank(11025);
	chime = new Chime(bank, output);
	let sum = 0;
	for (let i = 0; i < bank.samples.length; i++)
		sum = (Math.imul(sum, 31) + bank.samples[i]) | 0;
	return reply([bank.samples.length, sum]);
};
/** Ticks: a pattern of each severity in turn, one every 12 s, at 30 ticks a second. */
globalThis.ticks = function (count) {
	for (let i = 0; i < count; i++) {
		now += 33;
		const severity = Math.floor(now / 12000) % 3;
		if (now % 12000 < 33)
			chime.play(severity, now);
		chime.service(now, severity);
	}
	return reply([starts, stops]);
};
globalThis.empty = function (count) {
	for (let i = 0; i < count; i++) {
		now += 33;
		const severity = Math.floor(now / 12000) % 3;
		if (now % 12000 < 33)
			severity;
	}
	return reply([starts, stops]);
};
globalThis.collect = function () {
	gc();
};
`;

describeOnXs("chime", ["modules/cluster/chime.ts"], DRIVER, ({ run }) => {
	test("xs-synthesises-the-samples-node-does", async () => {
		const bank = new ToneBank(11025);
		let sum = 0;
		for (let i = 0; i < bank.samples.length; i++)
			sum = (Math.imul(sum, 31) + bank.samples[i]) | 0;
		expect((await run("setup()")).values).toEqual([bank.samples.length, sum]);
	});

	test("xs-display-ticks-take-no-heap", async () => {
		// 20 minutes of display clock, 100 patterns
		const { values: [starts, stops], grownByWork, grownByEmpty } = await heapOfWork(run, "ticks(2000)", "ticks(36000)", "empty(36000)");
		expect(starts).toBeGreaterThan(300);
		expect(stops).toBeGreaterThan(90);
		// The loop with the chime leaves the heap as the loop without it does.
		expect(grownByWork).toBe(grownByEmpty);
	});
});
