/*
 * VehicleInputs: reads cluster quantities out of the signal store through a
 * vehicle profile's bindings.
 *
 * A binding ties a quantity to one signal of the decode plan, with a linear
 * conversion into the quantity's canonical unit (mph to km/h, °F to °C).
 * Binding resolves names once at start-up; reading is an array lookup and a
 * multiply. Runs on XS and Node.
 */
import type { DecodePlan } from "../signals/plan.js";
import type { SignalStore } from "../signals/store.js";
import { QUANTITY_COUNT, QUANTITY_NAMES, Quantity, type QuantityName } from "./quantity.js";

/** Where a quantity comes from: `"MESSAGE.SIGNAL"`, or that with a conversion into the canonical unit. */
export type SignalSource = string | { signal: string; scale?: number; offset?: number };

/** The mapping part of a vehicle profile, as written in its JSON. */
export type QuantityMapping = Partial<Record<QuantityName, SignalSource>>;

/** Thrown when a mapping names a quantity, message or signal the plan lacks. */
export class BindingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "BindingError";
	}
}

export class VehicleInputs {
	readonly store: SignalStore;
	/** Signal id per quantity, -1 when the profile does not map it. */
	readonly signals = new Int32Array(QUANTITY_COUNT).fill(-1);
	readonly scales = new Float64Array(QUANTITY_COUNT).fill(1);
	readonly offsets = new Float64Array(QUANTITY_COUNT);

	/**
	 * Resolves `mapping` against `plan`. Allocates.
	 * @throws BindingError naming the first unknown quantity, message or signal.
	 */
	constructor(plan: DecodePlan, store: SignalStore, mapping: QuantityMapping) {
		this.store = store;
		for (const name of Object.keys(mapping) as QuantityName[]) {
			// Own properties only: "constructor" or "toString" are not quantities.
			const quantity = Object.prototype.hasOwnProperty.call(Quantity, name) ? Quantity[name] : undefined;
			if (quantity === undefined)
				throw new BindingError(`unknown quantity '${name}' (known: ${QUANTITY_NAMES.join(", ")})`);
			const source = mapping[name]!;
			const path = typeof source === "string" ? source : source.signal;
			const dot = path.indexOf(".");
			if (dot <= 0)
				throw new BindingError(`${name}: '${path}' is not MESSAGE.SIGNAL`);
			const messageName = path.slice(0, dot), signalName = path.slice(dot + 1);
			const message = plan.findMessageByName(messageName);
			if (message < 0)
				throw new BindingError(`${name}: no message '${messageName}' in the plan`);
			const signal = plan.findSignal(message, signalName);
			if (signal < 0)
				throw new BindingError(`${name}: message '${messageName}' has no signal '${signalName}'`);
			this.signals[quantity] = signal;
			if (typeof source !== "string") {
				this.scales[quantity] = source.scale ?? 1;
				this.offsets[quantity] = source.offset ?? 0;
			}
		}
	}

	/** True when the profile maps `quantity` to a signal. */
	has(quantity: number): boolean {
		return this.signals[quantity] >= 0;
	}

	/** The quantity in its canonical unit, or NaN when unmapped or missing at `now`. No allocation. */
	read(quantity: number, now: number): number {
		const signal = this.signals[quantity];
		if (signal < 0)
			return NaN;
		const value = this.store.read(signal, now);
		return value * this.scales[quantity] + this.offsets[quantity];
	}

	/** The raw value (what value tables and gear codes use), or NaN. No allocation. */
	readRaw(quantity: number, now: number): number {
		const signal = this.signals[quantity];
		return signal < 0 ? NaN : this.store.readRaw(signal, now);
	}
}
