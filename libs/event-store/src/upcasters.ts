import type { JsonObject } from './json.js';

/** Turns `data` of `type` at `fromVersion` into the shape of `fromVersion + 1`. Must be pure. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: JsonObject): JsonObject;
}

/**
 * Events are stored in the shape they were written in; readers get the current shape. Upcasters chain,
 * so an event written at v1 reads through v1→v2→v3 when v3 is current.
 */
export class Upcasters {
  private readonly steps = new Map<string, Upcaster>();

  constructor(upcasters: Iterable<Upcaster> = []) {
    for (const upcaster of upcasters) this.register(upcaster);
  }

  register(upcaster: Upcaster): this {
    const key = stepKey(upcaster.type, upcaster.fromVersion);
    if (this.steps.has(key)) {
      throw new Error(`an upcaster for ${upcaster.type} v${upcaster.fromVersion} is already registered`);
    }
    this.steps.set(key, upcaster);
    return this;
  }

  upcast(type: string, schemaVersion: number, data: JsonObject): { schemaVersion: number; data: JsonObject } {
    let version = schemaVersion;
    let current = data;
    for (
      let step = this.steps.get(stepKey(type, version));
      step;
      step = this.steps.get(stepKey(type, version))
    ) {
      current = step.upcast(current);
      version += 1;
    }
    return { schemaVersion: version, data: current };
  }
}

function stepKey(type: string, fromVersion: number): string {
  return `${type}@${fromVersion}`;
}
