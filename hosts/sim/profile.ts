/*
 * The demo car's vehicle profile as the simulator loads it: the same mapping
 * as hosts/sim/demo/demo-car.json (test/demo-drive.test.ts checks they agree).
 * mcconfig builds JSON files as modules, not resources, and a profile module
 * costs no parsing at boot. Runs on XS and Node; a constant.
 */
import type { QuantityMapping } from "../../modules/cluster/vehicle.js";

export interface VehicleProfile {
	readonly name: string;
	readonly quantities: QuantityMapping;
	readonly gears: Readonly<Record<string, string>>;
}

export const DEMO_PROFILE: VehicleProfile = Object.freeze({
	name: "xs-cluster demo car",
	quantities: Object.freeze({
		speed: "WHEEL_SPEED.VehicleSpeed",
		rpm: "ENGINE.EngineSpeed",
		gear: "GEARBOX.GearLever",
		coolantTemp: "TEMPERATURES.CoolantTemp",
		oilTemp: "TEMPERATURES.OilTemp",
		ambientTemp: "TEMPERATURES.AmbientTemp",
		fuelLevel: "FUEL.FuelLevel",
		fuelRate: "FUEL.FuelRate",
		batteryVoltage: "POWER.BatteryVoltage",
		chargeFault: "POWER.ChargeFault",
		odometer: "ODOMETER.Odometer",
		turnLeft: "BODY.TurnLeft",
		turnRight: "BODY.TurnRight",
		highBeam: "BODY.HighBeam",
		parkingBrake: "BODY.ParkingBrake",
		doorOpen: "BODY.DoorOpen",
		seatBeltUnbuckled: "BODY.SeatBeltUnbuckled",
		headlights: "BODY.Headlights",
		dimmer: "BODY.Dimmer",
		checkEngine: "ENGINE.CheckEngine",
		oilPressureLow: "ENGINE.OilPressureLow",
	}),
	gears: Object.freeze({ "0": "P", "1": "R", "2": "N", "3": "D", "4": "B" }),
});
