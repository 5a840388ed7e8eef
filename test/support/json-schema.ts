/*
 * A small JSON Schema checker for the subset docs/mqtt.schema.json uses
 * (type with "null" and "integer", const, enum, required, properties,
 * additionalProperties: false, minimum, maximum, oneOf, local $ref), so the
 * payload tests check the published schema itself without a validator
 * dependency. Returns every problem with its place. Node (tests) only.
 */
import { readFileSync } from "node:fs";

type Schema = Record<string, unknown>;

let cached: Schema | null = null;

/** docs/mqtt.schema.json. */
export function telemetrySchema(): Schema {
	cached ??= JSON.parse(readFileSync(new URL("../../docs/mqtt.schema.json", import.meta.url), "utf8")) as Schema;
	return cached;
}

function typeOf(value: unknown): string {
	if (value === null)
		return "null";
	if (Array.isArray(value))
		return "array";
	if (typeof value === "number")
		return Number.isInteger(value) ? "integer" : "number";
	return typeof value;
}

/** The problems with `value` against `schema` ([] when it conforms). */
export function checkSchema(root: Schema, value: unknown, schema: Schema = root, at = "$"): string[] {
	const problems: string[] = [];
	if (typeof schema.$ref === "string") {
		const path = schema.$ref.replace(/^#\//, "").split("/");
		let target: unknown = root;
		for (const part of path)
			target = (target as Schema)[part];
		return checkSchema(root, value, target as Schema, at);
	}
	if (Array.isArray(schema.oneOf)) {
		const passing = (schema.oneOf as Schema[]).filter(option => !checkSchema(root, value, option, at).length).length;
		if (passing !== 1)
			problems.push(`${at}: matches ${passing} of oneOf, not 1`);
	}
	if (schema.type !== undefined) {
		const types = Array.isArray(schema.type) ? schema.type as string[] : [schema.type as string];
		const actual = typeOf(value);
		if (!types.includes(actual) && !(actual === "integer" && types.includes("number")))
			problems.push(`${at}: ${actual}, not ${types.join(" or ")}`);
	}
	if ("const" in schema && value !== schema.const)
		problems.push(`${at}: ${JSON.stringify(value)}, not ${JSON.stringify(schema.const)}`);
	if (Array.isArray(schema.enum) && !schema.enum.includes(value))
		problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`);
	if (typeof value === "number") {
		if (typeof schema.minimum === "number" && value < schema.minimum)
			problems.push(`${at}: ${value} below ${schema.minimum}`);
		if (typeof schema.maximum === "number" && value > schema.maximum)
			problems.push(`${at}: ${value} above ${schema.maximum}`);
	}
	if (typeOf(value) === "object") {
		const object = value as Record<string, unknown>;
		const properties = (schema.properties ?? {}) as Record<string, Schema>;
		for (const key of (schema.required ?? []) as string[])
			if (!(key in object))
				problems.push(`${at}: ${key} missing`);
		for (const [key, item] of Object.entries(object)) {
			if (properties[key])
				problems.push(...checkSchema(root, item, properties[key], `${at}.${key}`));
			else if (schema.additionalProperties === false)
				problems.push(`${at}: ${key} is not in the schema`);
		}
	}
	return problems;
}
