// The builders every host has. Other rooms add theirs with registerBuilder() (the MINIX
// builder registers 'minix' from its own module, loaded by the host before domains are made).
import { builderNames, registerBuilder } from "./builder.js";
import { elfBuilder } from "./elf-builder.js";
import { minixBuilder } from "../../minix/index.js";

/** Registers the standard builders once; later calls do nothing. */
export function registerStandardBuilders(): void {
  if (!builderNames().includes(elfBuilder.name)) registerBuilder(elfBuilder);
  if (!builderNames().includes(minixBuilder.name)) registerBuilder(minixBuilder);
}
