/*
 * DemoDrive: the simulator's built-in car. A scripted two-minute drive of the
 * demo car (hosts/sim/demo/demo-car.dbc), produced as CAN frames at each
 * message's cycle time and pushed into the pipeline's ring, so the cluster
 * runs the same decode path as on a real bus.
 *
 * One lap (120 s, then it loops):
 *   0 s    parked, engine idling cold, door open, seat belt off, parking brake on
 *   7 s    belt on, brake off, lever to D
 *   8-30   acceleration through gears 1 to 6 to 100 km/h
 *   30-52  cruise; the ABS speed message drops out 40-43
 *   45     headlights on (the cluster turns to its night theme)
 *   52-62  braking to 35 km/h; left turn signal 56-66 through the turn
 *   72-84  acceleration to 70; check-engine lamp 75-95 (comes and goes)
 *   86-91  right turn signal (lane change); high beam 92-99; 100-112 braking to a stop
 *   114    lever to P, parking brake on; 117 door opens
 * Plus a message the DBC does not describe (id 0x123) every 100 ms, as real
 * buses have, and the multiplexed DIAG message alternating its pages.
 *
 * Plain TypeScript with only type imports, so vitest runs it on Node and the
 * simulator on XS; the caller hands in the plan, an Encoder and the ring.
 * Allocates in the constructor only; `step` writes into preallocated scratch.
 */
import type { FrameRing } from "../../modules/can/ring.js";
import type { Encoder } from "../../modules/signals/encoder.js";
import type { DecodePlan } from "../../modules/signals/plan.js";

/** Length of one lap of the drive, ms. */
export const LAP_MS = 120000;

/** Speed keyframes: seconds into the lap, km/h; eased between. */
const SPEED_KEYS = [0, 0, 8, 0, 30, 100, 52, 100, 62, 35, 72, 30, 84, 70, 100, 70, 112, 0, 120, 0];
/** Engaged gear by speed while in D: upshift points, km/h. */
const GEAR_UP = [0, 18, 35, 55, 75, 92];
/** Engine rpm per km/h in each gear (index 1..6). */
const GEAR_RATIO = [0, 140, 85, 60, 45, 36, 30];
const IDLE_RPM = 750;
const UNKNOWN_ID = 0x123;
/*
 * Plan layout and frame flag this module reads. Only type imports cross into
 * modules/ (the simulator maps this file as a host module), so the numbers are
 * repeated here; test/demo-drive.test.ts checks them against plan.ts and frame.ts.
 */
export const PLAN_MESSAGE_WORDS = 8, PLAN_CYCLE_TIME = 3, PLAN_LENGTH = 5, EXTENDED_FLAG = 1;
const UNKNOWN_CYCLE_MS = 100;

/** A window of the lap, seconds: [from, to). */
function during(t: number, from: number, to: number): number {
	return t >= from && t < to ? 1 : 0;
}

function ease(x: number): number {
	return x * x * (3 - 2 * x);
}

/** Everything the demo car's ECUs would send, at one instant. */
export class DriveState {
	speed = 0;
	rpm = IDLE_RPM;
	throttle = 0;
	torque = 0;
	lever = 0;
	engaged = 0;
	coolant = 45;
	oilTemp = 40;
	ambient = 18.5;
	fuelLevel = 38;
	fuelRate = 0.8;
	battery = 14.1;
	/** Oil pressure, kPa (the demo car's DBC has none; a profile-driven car may). */
	oilPressure = 190;
	/** Low-fuel warning, 1 below 10 % (the profile-driven drive's `lowFuel`). */
	lowFuel = 0;
	chargeFault = 0;
	checkEngine = 0;
	oilPressureLow = 0;
	turnLeft = 0;
	turnRight = 0;
	highBeam = 0;
	parkingBrake = 1;
	doorOpen = 1;
	seatBelt = 1;
	headlights = 0;
	dimmer = 60;
	odometer = 48213.4;
	/** 0 while the ABS speed message drops out. */
	speedSignal = 1;
	diagPage = 1;
	intakeAir = 25;
	manifold = 35;
	lambda = 1;
	counter = 0;
	zero = 0;
}

/**
 * Fills `state` for `ms` since the drive began; `lapMs` of it into the lap.
 * Pure: the same time gives the same car. No allocation.
 */
export function driveAt(ms: number, state: DriveState): DriveState {
	const lap = (ms % LAP_MS) / 1000, total = ms / 1000;

	let k = 0;
	while (k + 4 < SPEED_KEYS.length && lap >= SPEED_KEYS[k + 2])
		k += 2;
	const t0 = SPEED_KEYS[k], v0 = SPEED_KEYS[k + 1], t1 = SPEED_KEYS[k + 2], v1 = SPEED_KEYS[k + 3];
	const x = t1 > t0 ? Math.min(1, Math.max(0, (lap - t0) / (t1 - t0))) : 1;
	let speed = v0 + (v1 - v0) * ease(x);
	// Acceleration in km/h per second, from the eased curve's slope.
	const accel = t1 > t0 && x < 1 ? (v1 - v0) * 6 * x * (1 - x) / (t1 - t0) : 0;
	// A cruising car is never perfectly steady.
	if (during(lap, 30, 52) || during(lap, 84, 100))
		speed += 0.6 * Math.sin(total * 0.9) + 0.3 * Math.sin(total * 2.3);
	state.speed = speed < 0 ? 0 : speed;

	const drive = lap >= 7 && lap < 114;
	state.lever = drive ? 3 : 0;
	let gear = 0;
	if (drive) {
		gear = 1;
		for (let g = 1; g < GEAR_UP.length; g++)
			if (state.speed >= GEAR_UP[g])
				gear = g + 1;
	}
	state.engaged = gear;
	const throttle = accel > 0 ? Math.min(100, 20 + accel * 14) : state.speed > 1 && accel === 0 ? 18 : 0;
	state.throttle = throttle;
	state.torque = accel < 0 ? -20 : throttle * 2.2;
	let rpm = gear ? state.speed * GEAR_RATIO[gear] + throttle * 6 : IDLE_RPM + 450 * Math.exp(-total / 3);
	if (rpm < IDLE_RPM)
		rpm = IDLE_RPM;
	state.rpm = rpm + 8 * Math.sin(total * 13);

	// Warm-up and consumption run on the whole drive, not the lap.
	state.coolant = 90 - 45 * Math.exp(-total / 40);
	state.oilTemp = 95 - 55 * Math.exp(-total / 70);
	state.fuelLevel = Math.max(5, 38 - total * 0.002);
	state.fuelRate = 0.8 + throttle * 0.12;
	state.battery = 14.1 + 0.05 * Math.sin(total * 0.3);
	state.oilPressure = 150 + state.rpm * 0.05;
	state.lowFuel = state.fuelLevel < 10 ? 1 : 0;

	state.parkingBrake = lap < 7.5 || lap >= 114.5 ? 1 : 0;
	state.doorOpen = lap < 3 || lap >= 117 ? 1 : 0;
	state.seatBelt = lap < 6 || lap >= 116 ? 1 : 0;
	state.highBeam = during(lap, 92, 99);
	state.headlights = lap >= 45 && lap < 118 ? (state.highBeam ? 3 : 2) : 0;
	state.turnLeft = during(lap, 56, 66);
	state.turnRight = during(lap, 86, 91);
	state.checkEngine = during(lap, 75, 95);
	state.speedSignal = during(lap, 40, 43) ? 0 : 1;
	state.intakeAir = 25 + throttle * 0.1;
	state.manifold = 30 + throttle * 0.7;
	state.lambda = 1 + 0.02 * Math.sin(total);
	return state;
}

type StateField = keyof DriveState;

/** What to write into one message: signals and the state fields feeding them. */
interface MessagePlan {
	message: number;
	cycle: number;
	id: number;
	flags: number;
	dlc: number;
	signals: number[];
	fields: StateField[];
	/** For a multiplexed message: the page each signal belongs to, 0 for always present. */
	pages: number[];
	/** True when the message turns its pages, one per frame. */
	multiplexed: boolean;
}

export interface DemoDriveOptions {
	/** Loop the lap. Default true. */
	loop?: boolean;
	/** Frames later than this are skipped rather than caught up (after a pause), ms. Default 1000. */
	maxLag?: number;
	/** The car's odometer at start, km (the simulator continues from the cluster's saved one). Default 48213.4. */
	odometerKm?: number;
}

/** What LapDrive needs of a message it sends: its frame header and cycle. */
export interface ScheduledMessage {
	readonly id: number;
	readonly flags: number;
	readonly dlc: number;
	/** ms between frames. */
	readonly cycle: number;
}

/**
 * The lap's clock and the bus's timing, shared by the demo car's drive and a
 * profile's (profile-drive.ts): `step` sends each message due by `now` at its
 * cycle time, the drive state taken at the frame's own due time, staggered at
 * start as ECUs that woke at different moments, and skipping ahead after a
 * pause rather than catching up. A subclass fills each frame's payload.
 */
export abstract class LapDrive<Message extends ScheduledMessage> {
	readonly state = new DriveState();
	/** Frames pushed into the ring since start. */
	frames = 0;
	/** Drive distance covered, km. */
	distanceKm = 0;

	protected readonly ring: FrameRing;
	protected readonly messages: Message[] = [];
	/** Payload scratch `fill` writes into. */
	protected readonly data = new Uint8Array(8);
	protected readonly maxLag: number;
	protected readonly loop: boolean;
	protected readonly odometerKm: number;
	protected startAt = NaN;
	private lastAt = NaN;
	private nextDue = new Float64Array(0);

	constructor(ring: FrameRing, options: DemoDriveOptions) {
		this.ring = ring;
		this.loop = options.loop ?? true;
		this.maxLag = options.maxLag ?? 1000;
		this.odometerKm = options.odometerKm ?? 48213.4;
	}

	/** True when a non-looping drive has finished its lap. */
	finished(now: number): boolean {
		return !this.loop && this.startAt === this.startAt && now - this.startAt >= LAP_MS;
	}

	/**
	 * Pushes every frame due by `now` (host ms) into the ring, each stamped with
	 * its due time. Returns how many. No allocation.
	 */
	step(now: number): number {
		if (this.startAt !== this.startAt) {
			this.startAt = now;
			this.lastAt = now;
			if (this.nextDue.length !== this.messages.length)
				this.nextDue = new Float64Array(this.messages.length);
			for (let i = 0; i < this.nextDue.length; i++)
				this.nextDue[i] = now + i * 3;
			this.started(now);
		}
		if (this.finished(now))
			return 0;
		const state = this.state;
		// Distance for the odometer, from the speed over the step.
		driveAt(now - this.startAt, state);
		this.distanceKm += state.speed * (now - this.lastAt) / 3600000;
		this.lastAt = now;

		let pushed = 0;
		for (let i = 0; i < this.messages.length; i++) {
			const entry = this.messages[i];
			let due = this.nextDue[i];
			if (now - due > this.maxLag)
				due = now;
			while (due <= now) {
				driveAt(due - this.startAt, state);
				state.odometer = this.odometerKm + this.distanceKm;
				if (this.fill(entry, state)) {
					this.ring.pushFields(entry.id, entry.flags, entry.dlc, this.data, 0, entry.dlc, due);
					pushed++;
				}
				due += entry.cycle;
			}
			this.nextDue[i] = due;
		}
		pushed += this.more(now, pushed);
		this.frames += pushed;
		return pushed;
	}

	/** Writes `entry`'s payload for `state` into `data`; false to send nothing this time (a message that dropped out). */
	protected abstract fill(entry: Message, state: DriveState): boolean;

	/** Called once, at the first step. */
	protected started(_now: number): void {}

	/** Frames of the subclass's own beyond the scheduled messages, due by `now`, after `pushed` this step; returns how many it pushed. */
	protected more(_now: number, _pushed: number): number {
		return 0;
	}
}

export class DemoDrive extends LapDrive<MessagePlan> {
	private readonly encoder: Encoder;
	private nextUnknown = 0;
	private wheelSpeed = -1;

	/**
	 * Binds the drive to the demo car's messages in `plan`. Allocates.
	 * @throws Error naming a message or signal the plan lacks.
	 */
	constructor(plan: DecodePlan, encoder: Encoder, ring: FrameRing, options: DemoDriveOptions = {}) {
		super(ring, options);
		this.encoder = encoder;
		const add = (name: string, bindings: Record<string, StateField>, pages: Record<string, number> = {}) => {
			const message = encoder.message(name);
			const cycle = plan.messages[message * PLAN_MESSAGE_WORDS + PLAN_CYCLE_TIME] || 1000;
			const entry: MessagePlan = {
				message, cycle,
				id: plan.messageId(message),
				flags: plan.messageExtended(message) ? EXTENDED_FLAG : 0,
				dlc: Math.min(8, plan.messages[message * PLAN_MESSAGE_WORDS + PLAN_LENGTH]),
				signals: [], fields: [], pages: [], multiplexed: Object.keys(pages).length > 0,
			};
			for (const signalName of Object.keys(bindings)) {
				entry.signals.push(encoder.signal(message, signalName));
				entry.fields.push(bindings[signalName]);
				entry.pages.push(pages[signalName] ?? 0);
			}
			this.messages.push(entry);
			return message;
		};
		this.wheelSpeed = add("WHEEL_SPEED", { VehicleSpeed: "speed", WheelSpeedFL: "speed", Counter: "counter" });
		add("ENGINE", { EngineSpeed: "rpm", ThrottlePosition: "throttle", EngineTorque: "torque", CheckEngine: "checkEngine", OilPressureLow: "oilPressureLow" });
		add("GEARBOX", { GearLever: "lever", GearEngaged: "engaged", ShiftRequest: "zero" });
		add("TEMPERATURES", { CoolantTemp: "coolant", OilTemp: "oilTemp", AmbientTemp: "ambient" });
		add("FUEL", { FuelLevel: "fuelLevel", FuelRate: "fuelRate" });
		add("BODY", {
			TurnLeft: "turnLeft", TurnRight: "turnRight", HighBeam: "highBeam", ParkingBrake: "parkingBrake",
			DoorOpen: "doorOpen", SeatBeltUnbuckled: "seatBelt", Headlights: "headlights", Dimmer: "dimmer",
		});
		add("POWER", { BatteryVoltage: "battery", ChargeFault: "chargeFault" });
		add("ODOMETER", { Odometer: "odometer" });
		add("CCVS", { WheelBasedSpeed: "speed" });
		add("DIAG", { Page: "diagPage", IntakeAirTemp: "intakeAir", ManifoldPressure: "manifold", Lambda: "lambda" },
			{ IntakeAirTemp: 1, ManifoldPressure: 1, Lambda: 2 });
	}

	protected override started(now: number): void {
		this.nextUnknown = now + 7;
	}

	/** The id the DBC does not describe, every 100 ms, as real buses have. */
	protected override more(now: number, pushed: number): number {
		const before = pushed;
		while (this.nextUnknown <= now) {
			this.data.fill(0);
			this.data[0] = pushed & 0xFF;
			this.ring.pushFields(UNKNOWN_ID, 0, 8, this.data, 0, 8, this.nextUnknown);
			this.nextUnknown += now - this.nextUnknown > this.maxLag ? now - this.nextUnknown + UNKNOWN_CYCLE_MS : UNKNOWN_CYCLE_MS;
			pushed++;
		}
		return pushed - before;
	}

	protected fill(entry: MessagePlan, state: DriveState): boolean {
		// The ABS speed message drops out for a few seconds of the lap.
		if (entry.message === this.wheelSpeed && !state.speedSignal)
			return false;
		const encoder = this.encoder, data = this.data;
		data.fill(0);
		if (entry.message === this.wheelSpeed)
			state.counter = (state.counter + 1) & 15;
		else if (entry.multiplexed)
			state.diagPage = state.diagPage === 1 ? 2 : 1;
		for (let s = 0; s < entry.signals.length; s++) {
			const page = entry.pages[s];
			if (page === 0 || page === state.diagPage)
				encoder.set(entry.signals[s], state[entry.fields[s]] as number, data);
		}
		if (entry.message === this.wheelSpeed) {
			// A plausible checksum in the last byte: the sum of the others.
			let sum = 0;
			for (let b = 0; b < 7; b++)
				sum += data[b];
			data[7] = sum & 0xFF;
		}
		return true;
	}
}
