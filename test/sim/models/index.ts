// Registry of data-model families. A Model is compiled once per family and shared by every
// simulated phone of that family (the per-phone memory budget depends on it). Adding a family
// means adding a Family object under families/ and one line here.

import { buildModel } from './build.ts';
import { aastra } from './families/aastra.ts';
import { ex } from './families/ex.ts';
import { grandstream } from './families/grandstream.ts';
import { tr098 } from './families/tr098.ts';
import { tr181 } from './families/tr181.ts';
import { unify } from './families/unify.ts';
import { yealink } from './families/yealink.ts';
import type { Family, Model } from './types.ts';

/**
 * tr181 = the standard TR-181 + TR-104 issue 2 phone; tr098 = a generic TR-098 ATA-like phone;
 * the others are the vendor-like families of models/README.md behaviours 1–5.
 */
export const FAMILIES: Readonly<Record<string, Family>> = { tr181, tr098, yealink, grandstream, aastra, unify, ex };

const compiled = new Map<string, Model>();

/** The shared compiled model of a family (built on first use). */
export function getModel(name: string): Model {
  let model = compiled.get(name);
  if (!model) {
    const family = FAMILIES[name];
    if (!family) throw new Error(`unknown phone model "${name}" (known: ${Object.keys(FAMILIES).join(', ')})`);
    model = buildModel(family);
    compiled.set(name, model);
  }
  return model;
}

export type { Family, Model, ParamDef, ObjDef, TableDef, SchemaNode } from './types.ts';
