import { describe, expect, test } from "vitest";
import { TripComputer } from "../modules/cluster/trip.js";
import { TRIP_ROWS, TripReadout } from "../modules/cluster/trip-readout.js";
import { IMPERIAL, METRIC, economy } from "../modules/cluster/units.js";
import { FakeClock } from "./fixtures/clock.js";

const row = (name: string) => TRIP_ROWS.indexOf(name);

/** Drives `minutes` at `kmh` burning `litresPerHour`, updating every second; `fuelLevel` % for the range. */
function drive(trip: TripComputer, clock: FakeClock, minutes: number, kmh: number, litresPerHour = NaN, fuelLevel = NaN) {
	for (let s = 0; s < minutes * 60; s++)
		trip.update(clock.advance(1000), kmh, NaN, litresPerHour, fuelLevel);
}

describe("trip page readout", () => {
	test("a-fresh-trip-shows-zero-distance-and-unknown-figures", () => {
		const readout = new TripReadout();
		expect(readout.update(new TripComputer(), METRIC)).toBe(true);
		expect(readout.cells[row("Distance")]).toEqual(["0.0 km", "0.0 km"]);
		expect(readout.cells[row("Driving time")]).toEqual(["0 min", "0 min"]);
		expect(readout.cells[row("Average speed")]).toEqual(["--", "--"]);
		expect(readout.cells[row("Fuel used")]).toEqual(["--", "--"]);
		expect(readout.cells[row("Economy")]).toEqual(["--", "--"]);
		expect(readout.range).toBe("--");
	});

	test("ninety-minutes-at-80-kmh-on-6-l-per-hour", () => {
		const clock = new FakeClock(), trip = new TripComputer({ tankLiters: 50 }), readout = new TripReadout();
		trip.update(clock.now(), 80, NaN, 6, 50);
		drive(trip, clock, 90, 80, 6, 50);
		expect(readout.update(trip, METRIC)).toBe(true);
		// 120 km, 9 L: 7.5 L/100 km; 25 L left at that rate is 333.3 km, shown rounded down.
		expect(readout.cells[row("Distance")][0]).toBe("120.0 km");
		expect(readout.cells[row("Driving time")][0]).toBe("1 h 30");
		expect(readout.cells[row("Average speed")][0]).toBe("80 km/h");
		expect(readout.cells[row("Fuel used")][0]).toBe("9.0 L");
		expect(readout.cells[row("Economy")][0]).toBe("7.5");
		expect(readout.names[row("Economy")]).toBe("Economy L/100 km");
		expect(readout.range).toBe("333 km");
		// Imperial: 74.6 mi, 2.4 gal, 31.4 mpg, 207 mi of range.
		expect(readout.update(trip, IMPERIAL)).toBe(true);
		expect(readout.cells[row("Distance")][0]).toBe("74.5 mi");
		expect(readout.cells[row("Average speed")][0]).toBe("50 mph");
		expect(readout.cells[row("Fuel used")][0]).toBe("2.4 gal");
		expect(readout.cells[row("Economy")][0]).toBe(`${Math.round(economy(7.5, IMPERIAL) * 10) / 10}`);
		expect(readout.cells[row("Economy")][0]).toBe("31.4");
		expect(readout.names[row("Economy")]).toBe("Economy mpg");
		expect(readout.range).toBe("207 mi");
	});

	test("trips-a-and-b-are-shown-apart-and-a-reset-shows-at-once", () => {
		const clock = new FakeClock(), trip = new TripComputer(), readout = new TripReadout();
		trip.update(clock.now(), 60);
		drive(trip, clock, 10, 60);
		trip.resetTrip(0);
		drive(trip, clock, 5, 60);
		readout.update(trip, METRIC);
		expect(readout.cells[row("Distance")]).toEqual(["5.0 km", "15.0 km"]);
		expect(readout.cells[row("Driving time")]).toEqual(["5 min", "15 min"]);
		trip.resetTrip(1);
		expect(readout.update(trip, METRIC)).toBe(true);
		expect(readout.cells[row("Distance")]).toEqual(["5.0 km", "0.0 km"]);
	});

	test("text-is-rebuilt-only-when-a-shown-digit-changes", () => {
		const clock = new FakeClock(), trip = new TripComputer(), readout = new TripReadout();
		trip.update(clock.now(), 36); // 10 m a second: a tenth of a km every 10 s
		readout.update(trip, METRIC);
		const before = readout.cells[row("Distance")][0];
		let updates = 0;
		for (let s = 0; s < 60; s++) {
			trip.update(clock.advance(1000), 36);
			if (readout.update(trip, METRIC))
				updates++;
		}
		expect(before).toBe("0.0 km");
		expect(readout.cells[row("Distance")][0]).toBe("0.6 km");
		// Distance ticks every 10 s, time every minute, average speed once: far fewer than 60.
		expect(updates).toBeGreaterThanOrEqual(6);
		expect(updates).toBeLessThanOrEqual(9);
		expect(readout.update(trip, METRIC)).toBe(false);
	});
});
