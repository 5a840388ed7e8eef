/*
 * Themes as styles and skins chosen by the theme: a content says which of
 * the look's styles and skins it wears (its role, the behaviour's data), and
 * `onThemeChanged`, distributed by the view through the whole tree when the
 * theme changes, puts the look's on it. No list of contents is kept by hand.
 *
 * Device only (Piu). Allocates nothing after the contents are built.
 */
import {} from "piu/MC";
import type { Look } from "./look.js";
import type { Content, Skin, Style } from "./piu-types.js";

/** The look's members of type `T`, by name. */
type LookKeys<T> = { [K in keyof Look]: Look[K] extends T ? K : never }[keyof Look];
export type StyleRole = LookKeys<Style>;
export type SkinRole = LookKeys<Skin>;

/** Which of the look's style and skin a content wears. */
export interface Role {
	readonly style?: StyleRole;
	readonly skin?: SkinRole;
}

/** A content dressed by the theme; subclasses add what touches do. */
export class ThemedBehavior extends Behavior {
	role: Role = {};
	/** `data` is the content's Role (subclasses take data of their own and call `super.onCreate` with their role). */
	onCreate(_content: Content, data: unknown): void {
		if (data)
			this.role = data as Role;
	}
	onThemeChanged(content: Content, look: Look): void {
		const role = this.role;
		if (role.style)
			content.style = look[role.style];
		if (role.skin)
			content.skin = look[role.skin];
	}
}
