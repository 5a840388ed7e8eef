/*
 * PackInstaller: takes signed vehicle packs over the air, keeps them in an
 * A/B pair of flash slots (PackSlots) and chooses, at each start, which car
 * the cluster runs: the newest pack that works, else the one before it, else
 * the car built into the firmware.
 *
 * Entry points, in the order the firmware calls them:
 *
 *   const packs = new PackInstaller(slots, signature);
 *   const car = packs.start(builtIn);  // at start, before the pipeline is built:
 *                                      // { plan, profile, theme, info } to run
 *   packs.started();                   // at the first display tick: the pack works
 *   packs.offer(bytes)                 // a pack arrived (MQTT retained message on
 *                                      // the device's topic; from the host through
 *                                      // PackReceiver, modules/pack/receiver.ts):
 *                                      // checked at once; { accepted, reason }
 *   packs.service()                    // in the display tick's leftover time: erases or
 *                                      // programs one flash sector of an accepted pack
 *   packs.info, packs.carLine,         // name, version and slot; the running car and the
 *   packs.lastOfferRow, packs.line     // last offer's outcome as the diagnostics page's two
 *                                      // rows; both in one line (traces, tests)
 *
 * Rules:
 * - `offer` checks everything (layout, signature with the firmware's key,
 *   plan and profile versions, the plan and profile load and belong
 *   together) before anything changes; a refused pack changes nothing and
 *   `reason` says why in one line. The same pack again (a retained message
 *   delivered at every connect) is `unchanged`, never written twice.
 * - An accepted pack is written into the slot the running car does not use,
 *   one sector erase or program per `service()` call so the display never
 *   waits for a whole slot; it is read back, and only then does the boot record name
 *   it. It starts at the next start, as a trial.
 * - A trial pack gets one start (`maxAttempts`) to reach its first display
 *   tick (`started()`); a start that does not get there is counted before the
 *   pack is loaded, so at the next start the cluster goes back to the pack
 *   that ran before it, and from there to the built-in car.
 * - A power cut at any instant leaves the old pack or the new one: see
 *   PackSlots.
 *
 * Runs on XS and Node. `offer` and `start` allocate the pack's contents;
 * `service` allocates nothing but what the flash driver does; `started`
 * saves one record the first time.
 */
import { crc32 } from "../storage/crc32.js";
import { DecodePlan } from "../signals/plan.js";
import { ProfileInputs, VehicleProfile } from "../cluster/profile.js";
import { checkPack, type PackSignature } from "./check.js";
import { PackFormatError, compareVersions, readPackHeader } from "./format.js";
import { PackSlots, Slot, builtInRecord, slotName, type BootRecord } from "./slots.js";

/** What `offer` says. */
export interface PackOfferResult {
	/** True when the pack is (or already was) to start next; false when it was refused. */
	accepted: boolean;
	/** "staging": being written; "unchanged": this pack already runs or waits to start; "refused". */
	state: "staging" | "unchanged" | "refused";
	/** One line: why it was refused, or what happens next. */
	reason: string;
}

/** Which car runs, for the diagnostics page. */
export interface PackInfo {
	/** The profile's name. */
	name: string;
	/** The pack's version, "" for the built-in car. */
	version: string;
	/** "A", "B" or "built-in". */
	slot: string;
	/** True while a new pack runs on trial (not yet at its first display tick). */
	trial: boolean;
}

/** The car to run: what `start` returns. */
export interface StartedCar {
	plan: DecodePlan;
	profile: VehicleProfile;
	/** The pack's theme (UTF-8 JSON), null without one. */
	theme: ArrayBuffer | null;
	info: PackInfo;
	/** One line when the start went back from a pack (why), else "". */
	note: string;
	/**
	 * The name of the car the firmware was built for (its built-in profile's),
	 * whichever car runs: the car the cluster sits in. Its odometer and trips
	 * are kept under this name (main.ts), never under a pack's, since a pack
	 * is a software update for the same car and its name may change.
	 */
	builtInName: string;
}

/** The car in the firmware, as resources: the last fallback. */
export interface BuiltInCar {
	plan: ArrayBufferLike;
	vehicle: ArrayBufferLike;
}

/** How an offer is taken. */
export interface PackOfferOptions {
	/** Install even when the pack is an older version of the running car (the host's `pack send --force`). Default false. */
	allowOlder?: boolean;
	/** The caller gives `bytes` up (PackReceiver's buffer): kept as they are, not copied. Default false. */
	handOver?: boolean;
}

export interface PackInstallerOptions {
	/** Starts a trial pack gets to reach its first display tick (default 1). */
	maxAttempts?: number;
}

export class PackInstaller {
	readonly slots: PackSlots;
	/** Null in a firmware built without a key: every offer is refused. */
	readonly signature: PackSignature | null;
	readonly maxAttempts: number;
	/** Which car runs; set by `start` (the object it returns), `trial` cleared by `started`. */
	info: PackInfo = { name: "", version: "", slot: "built-in", trial: false };
	/** The last offer's outcome, one line ("" before any). */
	lastOffer = "";
	/**
	 * The same outcome for the diagnostics page's row under the car, which a
	 * narrow screen cuts at its end: a refusal's reason first, then the pack
	 * it names ("refused: wrong signature (...) (pack 'name' 1.0)").
	 */
	lastOfferRow = "";
	/** Offers refused, written, and found unchanged since start. */
	refused = 0;
	installed = 0;
	unchanged = 0;

	private record: BootRecord = builtInRecord();
	/** Slot the running car came from (0: built-in). */
	private running: number = Slot.builtIn;
	private runningBytes = 0;
	private runningCrc = 0;
	/** The pack being written, its slot and the next block; null when idle. */
	private staging: { bytes: Uint8Array; crc: number; slot: number; next: number; erased: boolean; blocks: number; what: string } | null = null;
	private startedOnce = false;

	constructor(slots: PackSlots, signature: PackSignature | null, options: PackInstallerOptions = {}) {
		this.slots = slots;
		this.signature = signature;
		this.maxAttempts = options.maxAttempts ?? 1;
	}

	/**
	 * Chooses the car at start: the boot record's pack, counting this start
	 * when it is on trial, or the one it falls back to, or `builtIn`. Saves
	 * the boot record when it changes. Allocates the car's tables (and,
	 * running a pack, the built-in profile's once more, for its name).
	 * @throws the built-in car's own format errors only (a firmware built wrong).
	 */
	start(builtIn: BuiltInCar): StartedCar {
		let record = this.slots.load();
		let note = "";
		if (record.active !== Slot.builtIn && record.trial) {
			if (record.attempts >= this.maxAttempts) {
				note = `pack in slot ${slotName(record.active)} did not reach its first display tick; back to ${slotName(record.fallback)}`;
				record = fallbackOf(record);
				this.slots.save(record);
			}
			else {
				// Counted before the pack is loaded: a start that never gets to `started()` has been counted.
				record = { ...record, attempts: record.attempts + 1 };
				this.slots.save(record);
			}
		}
		for (;;) {
			if (record.active === Slot.builtIn)
				break;
			const bytes = this.slots.readChecked(record.active, record.activeBytes, record.activeCrc);
			let why = "its bytes changed on flash";
			if (bytes) {
				try {
					const pack = checkPack(bytes, null); // its signature was checked when it was offered
					this.record = record;
					this.running = record.active;
					this.runningBytes = record.activeBytes;
					this.runningCrc = record.activeCrc;
					this.info = { name: pack.header.name, version: pack.header.version, slot: slotName(record.active), trial: record.trial };
					return { plan: pack.plan, profile: pack.profile, theme: pack.theme, info: this.info, note, builtInName: new VehicleProfile(builtIn.vehicle).name };
				}
				catch (error) {
					why = (error as Error).message;
				}
			}
			const back = `pack in slot ${slotName(record.active)} does not load (${why}); back to ${slotName(record.fallback)}`;
			note = note ? `${note}; ${back}` : back;
			record = fallbackOf(record);
			this.slots.save(record);
		}
		this.record = record;
		this.running = Slot.builtIn;
		this.runningBytes = this.runningCrc = 0;
		const plan = new DecodePlan(builtIn.plan);
		const profile = new VehicleProfile(builtIn.vehicle);
		new ProfileInputs(profile, plan, null);
		this.info = { name: profile.name, version: "", slot: "built-in", trial: false };
		return { plan, profile, theme: null, info: this.info, note, builtInName: profile.name };
	}

	/**
	 * The first display tick was reached: a trial pack has proved it starts
	 * and becomes the pack to keep. Call once per tick or once; only the first
	 * call on a trial saves (one record). No allocation after that.
	 */
	started(): void {
		if (this.startedOnce)
			return;
		this.startedOnce = true;
		const record = this.record;
		if (record.trial && record.active === this.running) {
			this.record = { ...record, trial: false, attempts: 0 };
			this.slots.save(this.record);
			this.info.trial = false; // the same object `start` returned: whoever shows it sees the change
		}
	}

	/**
	 * A pack arrived: checks it completely and, when it is good and new,
	 * starts writing it (see `service`). Nothing on flash changes here.
	 * Allocates the pack's contents while they are checked.
	 */
	offer(bytes: Uint8Array, options: PackOfferOptions = {}): PackOfferResult {
		let what = "pack";
		let version = "", name = "";
		try {
			if (!this.signature)
				throw new PackFormatError("this firmware has no pack key (build it with the manifest config packKey, from xs-cluster pack keygen)");
			if (bytes.length > this.slots.slotBytes)
				throw new PackFormatError(`pack: ${bytes.length} bytes, a slot holds ${this.slots.slotBytes}`);
			const pack = checkPack(bytes, this.signature);
			what = `pack '${pack.header.name}' ${pack.header.version}`;
			name = pack.header.name;
			version = pack.header.version;
		}
		catch (error) {
			this.refused++;
			const reason = error instanceof PackFormatError || error instanceof RangeError ? error.message : `pack: ${(error as Error).message}`;
			return this.outcome(false, "refused", `refused: ${reason}`, refusalRow(bytes, reason));
		}
		const crc = crc32(bytes);
		const record = this.record;
		const same = (length: number, sum: number) => length === bytes.length && (sum >>> 0) === crc;
		if (this.running !== Slot.builtIn && same(this.runningBytes, this.runningCrc) && record.active === this.running) {
			this.unchanged++;
			return this.outcome(true, "unchanged", `${what} runs already (slot ${slotName(this.running)})`);
		}
		if (record.active !== Slot.builtIn && record.active !== this.running && same(record.activeBytes, record.activeCrc)) {
			this.unchanged++;
			return this.outcome(true, "unchanged", `${what} waits in slot ${slotName(record.active)} for the next start`);
		}
		if (this.staging && this.staging.crc === crc && this.staging.bytes.length === bytes.length) {
			this.unchanged++;
			return this.outcome(true, "unchanged", `${what} is being written to slot ${slotName(this.staging.slot)}`);
		}
		// An older version of the car that runs: a stale retained message, or a mistake; the host may insist.
		const info = this.info;
		// Whatever its name: every pack is for the car the cluster sits in, and a renamed update must not
		// be undone by the old name's pack still retained on the broker.
		if (!options.allowOlder && this.running !== Slot.builtIn && compareVersions(version, info.version) < 0) {
			this.refused++;
			const running = name === info.name ? info.version : `'${info.name}' ${info.version}`;
			return this.outcome(false, "refused", `refused: ${what} is older than ${running}, which runs (to go back, send it with xs-cluster pack send --force)`,
				`refused: older than ${running}, which runs (${what})`);
		}
		// Never the running car's slot; from the built-in car, not the slot the record would start either.
		const keep = this.running !== Slot.builtIn ? this.running : record.active;
		const slot = keep === Slot.a ? Slot.b : Slot.a;
		const copy = options.handOver ? bytes : new Uint8Array(bytes); // the caller's buffer may be reused (an MQTT client's)
		this.staging = { bytes: copy, crc, slot, next: 0, erased: false, blocks: this.slots.blocksFor(copy.length), what };
		return this.outcome(true, "staging", `${what} accepted; writing slot ${slotName(slot)}, it starts at the next start`);
	}

	/** True while an accepted pack is being written. */
	get busy(): boolean {
		return this.staging !== null;
	}

	/**
	 * Does the next step of writing an accepted pack: erases its next sector
	 * (typically 45 ms on SPI NOR flash) or programs it (about 10 ms for
	 * 4 KB); after the last, reads the slot back and saves the boot record
	 * that names it. Returns true while there is more to do. No allocation
	 * but the read-back's.
	 */
	service(): boolean {
		const staging = this.staging;
		if (!staging)
			return false;
		if (staging.next < staging.blocks) {
			// Erase and program in separate calls: a sector erase alone takes tens of milliseconds.
			if (staging.erased)
				this.slots.programBlock(staging.slot, staging.next++, staging.bytes);
			else
				this.slots.eraseBlock(staging.slot, staging.next);
			staging.erased = !staging.erased;
			return true;
		}
		this.staging = null;
		if (!this.slots.readChecked(staging.slot, staging.bytes.length, staging.crc)) {
			this.refused++;
			this.lastOffer = this.lastOfferRow = `${staging.what}: slot ${slotName(staging.slot)} did not read back as written (flash worn?); nothing changed`;
			return false;
		}
		const fallback = this.running;
		this.record = {
			active: staging.slot, fallback, trial: true, attempts: 0,
			activeBytes: staging.bytes.length, activeCrc: staging.crc,
			fallbackBytes: fallback === Slot.builtIn ? 0 : this.runningBytes, fallbackCrc: fallback === Slot.builtIn ? 0 : this.runningCrc,
		};
		this.slots.save(this.record);
		this.installed++;
		this.lastOffer = this.lastOfferRow = `${staging.what} installed in slot ${slotName(staging.slot)}; it starts at the next start`;
		return false;
	}

	/** Writes the rest of an accepted pack at once (the serial link, tests): not from the display tick. */
	finish(): void {
		while (this.service())
			;
	}

	/**
	 * A pack that never became an offer was refused on its way (a transfer
	 * from the host that stalled, was damaged or was too large): counted, and
	 * shown as the last offer. Allocates the line.
	 */
	refuse(reason: string): void {
		this.refused++;
		this.lastOffer = this.lastOfferRow = `refused: ${reason}`;
	}

	/**
	 * The running car for the diagnostics page's Car row: its name, its
	 * pack's version and slot. A long name is cut here (LINE_NAME_CHARS, with
	 * "..."), so the version and slot after it stay on a row the page cuts at
	 * its end. The last offer's outcome (`lastOffer`) has the row below.
	 * Allocates.
	 */
	get carLine(): string {
		const info = this.info;
		return info.slot === "built-in"
			? `${shortened(info.name, LINE_NAME_CHARS + 8)} (built-in)`
			: `${shortened(info.name, LINE_NAME_CHARS)} ${info.version} (slot ${info.slot}${info.trial ? ", trial" : ""})`;
	}

	/** The car and the last offer's outcome in one line (`carLine; lastOffer`). Allocates. */
	get line(): string {
		const car = this.carLine;
		return this.lastOffer ? `${car}; ${this.lastOffer}` : car;
	}

	private outcome(accepted: boolean, state: PackOfferResult["state"], reason: string, row = reason): PackOfferResult {
		this.lastOffer = reason;
		this.lastOfferRow = row;
		return { accepted, state, reason };
	}
}

/**
 * Characters of a pack's name on the diagnostics Car row before its version:
 * with " 2026.12 (slot A)" it fills the row at 320 px.
 */
export const LINE_NAME_CHARS = 20;

/** `text` cut to `max` characters, its end "..." when it was cut. Allocates only then. */
export function shortened(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 3).trimEnd()}...`;
}

/**
 * A refusal for the diagnostics row: the check's reason before the pack it
 * names, when the header could be read and the reason starts with it, else
 * as it is. Allocates.
 */
function refusalRow(bytes: Uint8Array, reason: string): string {
	let named = "";
	try {
		const header = readPackHeader(bytes);
		named = `pack '${header.name}' ${header.version}`;
	}
	catch {
		// no header to name: the reason says what is wrong with the layout
	}
	return named && reason.startsWith(`${named}: `) ? `refused: ${reason.slice(named.length + 2)} (${named})` : `refused: ${reason}`;
}

/** The record that starts the fallback pack (known good: it ran before), or the built-in car. */
function fallbackOf(record: BootRecord): BootRecord {
	const next = builtInRecord();
	if (record.fallback !== Slot.builtIn && record.fallback !== record.active) {
		next.active = record.fallback;
		next.activeBytes = record.fallbackBytes;
		next.activeCrc = record.fallbackCrc;
	}
	return next;
}
