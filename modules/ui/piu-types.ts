/*
 * Type names for Piu objects. The typings declare Piu's classes as global
 * constants whose instance interfaces live inside the "piu/MC" module; these
 * aliases name the instances. Types only: nothing here runs.
 */
import {} from "piu/MC";
import {} from "piu/shape";

export type Skin = InstanceType<typeof Skin>;
export type Style = InstanceType<typeof Style>;
export type Content = InstanceType<typeof Content>;
export type Label = InstanceType<typeof Label>;
export type Shape = InstanceType<typeof Shape>;
export type Application = InstanceType<typeof Application>;
export type { Behavior, Container, Text } from "piu/MC";
