/*
 * Alerts: the warnings a driver must see (overheating, low oil pressure,
 * overspeed), raised from quantities with hysteresis and a debounce time, in
 * bands of severity, acknowledged from the steering-wheel button, and ranked
 * so the pop-up shows the one that matters most.
 *
 * A rule is one or more conditions that must all hold for `debounceMs`
 * ("coolant above 105 °C while rpm above 3000, for 5 s"). It clears when any
 * condition has fallen back past its threshold by its hysteresis for
 * `clearMs`, so a value wobbling on the threshold does not flash the screen.
 * Rules sharing a `group` are bands of one alert (warning at 105 °C, critical
 * at 115 °C): only the most severe active band of a group is shown.
 * Missing data (NaN) neither raises nor clears an alert: an overheat does not
 * go away because the sensor went quiet; it is marked `stale` instead.
 *
 * Runs on XS and Node. The constructor allocates the rule tables; `update`,
 * `top` and `acknowledge` allocate nothing, so they run on the display clock.
 */
import { Quantity, type QuantityReader } from "./quantity.js";

export const Severity = Object.freeze({ info: 0, warning: 1, critical: 2 });

export interface AlertCondition {
	quantity: number;
	/** Holds when the value is above this (or at it). */
	above?: number;
	/** Holds when the value is below this (or at it). */
	below?: number;
	/** How far back past the threshold the value must go to clear, in the quantity's unit. Default 0. */
	hysteresis?: number;
}

export interface AlertRule {
	/** Stable name: what driver settings and the UI's text table use ("coolant-hot"). */
	id: string;
	/** Text for the pop-up. */
	message: string;
	severity: number;
	conditions: AlertCondition[];
	/** How long every condition must hold before the alert is raised, ms. Default 0. */
	debounceMs?: number;
	/** How long the clearing condition must hold before the alert clears, ms. Default 1000. */
	clearMs?: number;
	/** Rules of one group are severity bands of one alert. Default: the rule's own id. */
	group?: string;
	/** Breaks ties between alerts of equal severity; higher first. Default 0. */
	priority?: number;
	/** Ask the host to sound the chime when the pop-up appears. Default: warning and critical. */
	chime?: boolean;
	/** After acknowledgement, show the pop-up again this long later while still active, ms. Default: 60 s for critical, never otherwise. */
	remindMs?: number;
}

/** State of a rule, as `AlertMonitor.state` holds it. */
export const AlertState = Object.freeze({
	/** Conditions do not hold. */
	clear: 0,
	/** Conditions hold, waiting out the debounce. */
	pending: 1,
	/** Raised. */
	active: 2,
	/** Raised, and a condition no longer holds: waiting out `clearMs`. */
	clearing: 3,
});

export class AlertMonitor {
	readonly rules: readonly AlertRule[];
	/** AlertState per rule. */
	readonly state: Uint8Array;
	/** When each rule was raised, ms (NaN while clear). */
	readonly since: Float64Array;
	/** 1 when the driver acknowledged the rule's current activation. */
	readonly acknowledged: Uint8Array;
	/** 1 while an active rule's data is missing: shown with its last known state. */
	readonly stale: Uint8Array;
	/** 1 for an active rule hidden because a more severe band of its group is active. */
	readonly superseded: Uint8Array;
	/** Incremented whenever the set of shown alerts changes; the UI redraws on change. */
	revision = 0;
	/** Per rule, 1 while its chime waits to be played: when the rule is on the pop-up. Read with `takeChime`. */
	private readonly chimeWanted: Uint8Array;
	private readonly reader: Pick<QuantityReader, "read">;
	private readonly timer: Float64Array;
	private readonly ackAt: Float64Array;
	private readonly groupOf: Uint16Array;
	/** Per rule, copied out of the rule objects so `update` reads typed arrays only. */
	private readonly severity: Uint8Array;
	private readonly debounceMs: Float64Array;
	private readonly clearMs: Float64Array;
	private readonly remindMs: Float64Array;
	/** Scratch: the most severe active band per group, -1 for none. */
	private readonly groupSeverity: Int8Array;
	/** Per condition, flattened: quantity, above, below, hysteresis. */
	private readonly condFirst: Uint16Array;
	private readonly condCount: Uint16Array;
	private readonly condQuantity: Int32Array;
	private readonly condAbove: Float64Array;
	private readonly condBelow: Float64Array;
	private readonly condHysteresis: Float64Array;
	/** Thresholds as the rules define them, for `resetThresholds`. */
	private readonly defaultAbove: Float64Array;
	private readonly defaultBelow: Float64Array;

	/** Compiles `rules`. Allocates. @throws RangeError for a rule without conditions or a duplicate id. */
	constructor(reader: Pick<QuantityReader, "read">, rules: readonly AlertRule[]) {
		this.reader = reader;
		this.rules = Object.freeze(rules.slice());
		const n = rules.length;
		this.state = new Uint8Array(n);
		this.since = new Float64Array(n).fill(NaN);
		this.timer = new Float64Array(n).fill(NaN);
		this.ackAt = new Float64Array(n).fill(NaN);
		this.acknowledged = new Uint8Array(n);
		this.stale = new Uint8Array(n);
		this.superseded = new Uint8Array(n);
		this.chimeWanted = new Uint8Array(n);
		this.groupOf = new Uint16Array(n);
		this.condFirst = new Uint16Array(n);
		this.condCount = new Uint16Array(n);
		const total = rules.reduce((sum, rule) => sum + rule.conditions.length, 0);
		this.condQuantity = new Int32Array(total);
		this.condAbove = new Float64Array(total);
		this.condBelow = new Float64Array(total);
		this.condHysteresis = new Float64Array(total);
		this.severity = new Uint8Array(n);
		this.debounceMs = new Float64Array(n);
		this.clearMs = new Float64Array(n);
		this.remindMs = new Float64Array(n);
		const groups: string[] = [];
		const ids = new Set<string>();
		let c = 0;
		rules.forEach((rule, r) => {
			this.severity[r] = rule.severity;
			this.debounceMs[r] = rule.debounceMs ?? 0;
			this.clearMs[r] = rule.clearMs ?? 1000;
			this.remindMs[r] = rule.remindMs ?? (rule.severity >= Severity.critical ? 60000 : Infinity);
			if (ids.has(rule.id))
				throw new RangeError(`alert '${rule.id}' is defined twice`);
			ids.add(rule.id);
			if (!rule.conditions.length)
				throw new RangeError(`alert '${rule.id}' has no condition`);
			const group = rule.group ?? rule.id;
			let g = groups.indexOf(group);
			if (g < 0)
				g = groups.push(group) - 1;
			this.groupOf[r] = g;
			this.condFirst[r] = c;
			this.condCount[r] = rule.conditions.length;
			for (const condition of rule.conditions) {
				if ((condition.above === undefined) === (condition.below === undefined))
					throw new RangeError(`alert '${rule.id}': a condition needs exactly one of above, below`);
				this.condQuantity[c] = condition.quantity;
				this.condAbove[c] = condition.above ?? NaN;
				this.condBelow[c] = condition.below ?? NaN;
				this.condHysteresis[c] = condition.hysteresis ?? 0;
				c++;
			}
		});
		this.groupSeverity = new Int8Array(groups.length);
		this.defaultAbove = this.condAbove.slice();
		this.defaultBelow = this.condBelow.slice();
	}

	/** Puts every threshold back to the rules' own (before applying another driver's). */
	resetThresholds(): void {
		this.condAbove.set(this.defaultAbove);
		this.condBelow.set(this.defaultBelow);
	}

	/** Index of the rule called `id`, or -1. */
	indexOf(id: string): number {
		for (let r = 0; r < this.rules.length; r++)
			if (this.rules[r].id === id)
				return r;
		return -1;
	}

	/**
	 * Changes a threshold (a driver's own overspeed or coolant limit).
	 * @throws RangeError for an unknown rule or condition.
	 */
	setThreshold(id: string, value: number, condition = 0): void {
		const r = this.indexOf(id);
		if (r < 0 || condition >= this.condCount[r])
			throw new RangeError(`no alert '${id}' with condition ${condition}`);
		const c = this.condFirst[r] + condition;
		if (this.condAbove[c] === this.condAbove[c])
			this.condAbove[c] = value;
		else
			this.condBelow[c] = value;
	}

	/** Evaluates every rule at `now`; returns true when what is shown changed. Display clock; no allocation. */
	update(now: number): boolean {
		const before = this.revision;
		const count = this.rules.length;
		for (let r = 0; r < count; r++) {
			const holds = this.evaluate(r, false, now);
			const state = this.state[r];
			if (holds !== holds) {
				// Missing data: keep what is known.
				this.stale[r] = state === AlertState.active || state === AlertState.clearing ? 1 : 0;
				if (state === AlertState.pending) {
					this.state[r] = AlertState.clear;
					this.timer[r] = NaN;
				}
				continue;
			}
			this.stale[r] = 0;
			if (state === AlertState.clear || state === AlertState.pending) {
				if (!holds) {
					this.state[r] = AlertState.clear;
					this.timer[r] = NaN;
					continue;
				}
				if (state === AlertState.clear) {
					this.state[r] = AlertState.pending;
					this.timer[r] = now;
				}
				if (now - this.timer[r] >= this.debounceMs[r])
					this.raise(r, now);
				continue;
			}
			// Active or clearing: clears only past the hysteresis band.
			const stillHolds = this.evaluate(r, true, now);
			if (stillHolds) {
				this.state[r] = AlertState.active;
				this.timer[r] = NaN;
			}
			else {
				if (state === AlertState.active) {
					this.state[r] = AlertState.clearing;
					this.timer[r] = now;
				}
				if (now - this.timer[r] >= this.clearMs[r]) {
					this.state[r] = AlertState.clear;
					this.since[r] = NaN;
					this.timer[r] = NaN;
					this.acknowledged[r] = 0;
					this.revision++;
				}
			}
			// Reminder: an acknowledged critical alert comes back while it lasts.
			if (this.acknowledged[r] && now - this.ackAt[r] >= this.remindMs[r]) {
				this.acknowledged[r] = 0;
				this.requestChime(r);
				this.revision++;
			}
		}
		this.settleGroups();
		return this.revision !== before;
	}

	/** True while rule `r` is raised (active or clearing). */
	isActive(r: number): boolean {
		return this.state[r] >= AlertState.active;
	}

	/**
	 * The alert the pop-up shows: active, not acknowledged, not superseded by
	 * its group's more severe band; the most severe, then the highest priority,
	 * then the most recent. -1 for none. No allocation.
	 */
	top(): number {
		let best = -1;
		for (let r = 0; r < this.rules.length; r++) {
			if (!this.isActive(r) || this.acknowledged[r] || this.superseded[r])
				continue;
			if (best < 0 || this.outranks(r, best))
				best = r;
		}
		return best;
	}

	/** Active alerts not superseded, acknowledged or not: what a warning list shows. */
	activeCount(): number {
		let n = 0;
		for (let r = 0; r < this.rules.length; r++)
			if (this.isActive(r) && !this.superseded[r])
				n++;
		return n;
	}

	/** Acknowledges the alert on the pop-up (the steering-wheel OK button); returns its index or -1. */
	acknowledgeTop(now: number): number {
		const r = this.top();
		if (r >= 0)
			this.acknowledge(r, now);
		return r;
	}

	/** Hides rule `r`'s pop-up until it clears and returns, escalates, or its reminder falls due. */
	acknowledge(r: number, now: number): void {
		if (!this.isActive(r) || this.acknowledged[r])
			return;
		this.acknowledged[r] = 1;
		this.ackAt[r] = now;
		this.revision++;
	}

	/**
	 * The severity of a chime to play now, once, or -1: the chime of the
	 * alert on the pop-up, when it asked for one (raised, or its reminder) and
	 * has not had it yet. An alert that asked while hidden under a worse one
	 * (outranked, or a band its group's worse band supersedes) chimes when it
	 * comes to the pop-up, not before: the driver never hears an alert they
	 * cannot see. No allocation.
	 */
	takeChime(): number {
		const wanted = this.chimeWanted;
		for (let r = 0; r < wanted.length; r++)
			if (wanted[r] && (!this.isActive(r) || this.acknowledged[r]))
				wanted[r] = 0;
		const top = this.top();
		if (top < 0 || !wanted[top])
			return -1;
		wanted[top] = 0;
		return this.severity[top];
	}


	/**
	 * Whether all of rule `r`'s conditions hold: 1 or 0, NaN when a value is
	 * missing. With `clearing`, the thresholds move back by their hysteresis.
	 */
	private evaluate(r: number, clearing: boolean, now: number): number {
		const first = this.condFirst[r], end = first + this.condCount[r];
		let missing = false;
		for (let c = first; c < end; c++) {
			const value = this.reader.read(this.condQuantity[c], now);
			if (value !== value) {
				missing = true;
				continue;
			}
			const band = clearing ? this.condHysteresis[c] : 0;
			const above = this.condAbove[c];
			const holds = above === above ? value >= above - band : value <= this.condBelow[c] + band;
			if (!holds)
				return 0;
		}
		return missing ? NaN : 1;
	}

	private raise(r: number, now: number): void {
		this.state[r] = AlertState.active;
		this.since[r] = now;
		this.timer[r] = NaN;
		this.acknowledged[r] = 0;
		this.requestChime(r);
		this.revision++;
	}

	private requestChime(r: number): void {
		const rule = this.rules[r];
		if (rule.chime ?? rule.severity >= Severity.warning)
			this.chimeWanted[r] = 1;
	}

	/** Marks bands below the most severe active band of each group as superseded. */
	private settleGroups(): void {
		const n = this.rules.length, top = this.groupSeverity;
		top.fill(-1);
		for (let r = 0; r < n; r++)
			if (this.isActive(r) && this.severity[r] > top[this.groupOf[r]])
				top[this.groupOf[r]] = this.severity[r];
		for (let r = 0; r < n; r++) {
			const superseded = this.isActive(r) && this.severity[r] < top[this.groupOf[r]] ? 1 : 0;
			if (superseded !== this.superseded[r]) {
				this.superseded[r] = superseded;
				this.revision++;
			}
		}
	}

	private outranks(a: number, b: number): boolean {
		if (this.severity[a] !== this.severity[b])
			return this.severity[a] > this.severity[b];
		const pa = this.rules[a].priority ?? 0, pb = this.rules[b].priority ?? 0;
		if (pa !== pb)
			return pa > pb;
		return this.since[a] > this.since[b];
	}
}

/**
 * The alerts every car gets, in canonical units; a driver profile may move
 * the thresholds (`setThreshold`). Allocates the rule objects.
 */
export function defaultAlertRules(): AlertRule[] {
	const { speed, rpm, coolantTemp, fuelLevel, oilPressure, batteryVoltage } = Quantity;
	return [
		{ id: "coolant-hot", group: "coolant", message: "Engine hot", severity: Severity.warning,
			conditions: [{ quantity: coolantTemp, above: 110, hysteresis: 3 }], debounceMs: 3000, clearMs: 5000 },
		{ id: "coolant-critical", group: "coolant", message: "Engine overheating: stop safely", severity: Severity.critical,
			conditions: [{ quantity: coolantTemp, above: 120, hysteresis: 3 }], debounceMs: 2000, clearMs: 5000 },
		{ id: "coolant-hot-under-load", group: "coolant", message: "Engine hot: ease off", severity: Severity.warning, priority: 1,
			conditions: [{ quantity: coolantTemp, above: 105, hysteresis: 2 }, { quantity: rpm, above: 3000, hysteresis: 300 }], debounceMs: 5000 },
		{ id: "oil-pressure-low", message: "Oil pressure low: stop engine", severity: Severity.critical, priority: 2,
			conditions: [{ quantity: oilPressure, below: 50, hysteresis: 20 }, { quantity: rpm, above: 500 }], debounceMs: 1000 },
		{ id: "battery-low", message: "Battery voltage low", severity: Severity.warning,
			conditions: [{ quantity: batteryVoltage, below: 11.8, hysteresis: 0.4 }], debounceMs: 10000, clearMs: 5000 },
		{ id: "fuel-low", message: "Fuel low", severity: Severity.info, chime: true,
			conditions: [{ quantity: fuelLevel, below: 10, hysteresis: 3 }], debounceMs: 10000, clearMs: 10000 },
		{ id: "overspeed", message: "Speed limit", severity: Severity.warning,
			conditions: [{ quantity: speed, above: 130, hysteresis: 3 }], debounceMs: 1000 },
	];
}

/**
 * A pop-up for the check-engine lamp (the lamp alone is easy to miss), for
 * cars whose profile maps `checkEngine`. Allocates the rule.
 */
export function checkEngineAlertRule(): AlertRule {
	return { id: "check-engine", message: "Check engine: have it serviced", severity: Severity.warning,
		conditions: [{ quantity: Quantity.checkEngine, above: 1 }], debounceMs: 500, clearMs: 2000 };
}
