import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { EventDeclaration, ModuleSource } from '../modules/manifest';

/** A module published or subscribed to an event in a way its manifests do not allow: a bug, found at once. */
export class EventDeclarationError extends Error {}

interface DeclaredEvent extends EventDeclaration {
  module: string;
  validate?: ValidateFunction;
}

/**
 * The events installed modules declare in their manifests, with their payload schemas. An event's
 * name starts with the name of the module that publishes it (the manifest refuses any other), so an
 * undeclared name still tells whose mistake it is.
 */
export class EventCatalog {
  private readonly events = new Map<string, DeclaredEvent>();
  private readonly modules: Set<string>;

  /**
   * Each payload schema is compiled on its first publish: compiling them all would cost every start
   * tens of milliseconds for events a process may never publish. An integrator's module has its
   * payload schemas checked against the JSON Schema meta-schema here, so a bad one stops the start;
   * built-in modules' are checked by their tests. `ajv` is the kernel's for module schemas (strict).
   */
  constructor(
    sources: ModuleSource[],
    private readonly ajv: Ajv,
  ) {
    this.modules = new Set(sources.map((s) => s.manifest.name));
    const problems: string[] = [];
    for (const { manifest, origin } of sources) {
      for (const [name, declaration] of Object.entries(manifest.events ?? {})) {
        this.events.set(name, { ...declaration, module: manifest.name });
        if (origin === 'builtin' || ajv.validateSchema(declaration.payload)) continue;
        // The meta-schema's alternatives fail together (`type` is a name or a list of names): the first says it.
        const [first] = ajv.errors ?? [];
        problems.push(`Module "${manifest.name}": manifest.json field "events/${name}/payload${first?.instancePath ?? ''}" is not a JSON Schema: ${first?.message}`);
      }
    }
    if (problems.length) throw new EventDeclarationError(problems.join('; '));
  }

  /** Whether some installed module declares the event. */
  has(name: string): boolean {
    return this.events.has(name);
  }

  /** Throws unless some installed module declares the event a module subscribes to. */
  assertSubscribable(module: string, name: string): void {
    if (this.events.has(name)) return;
    throw new EventDeclarationError(`Module "${module}" subscribes to event "${name}", which no installed module declares in its manifest`);
  }

  /** Throws unless the event is declared and the payload matches its schema; names what is wrong. */
  assertPublishable(name: string, payload: unknown): void {
    const event = this.events.get(name);
    if (!event) {
      const owner = name.split('.')[0];
      throw new EventDeclarationError(
        this.modules.has(owner)
          ? `Module "${owner}" publishes event "${name}", which its manifest does not declare (manifest.json "events")`
          : `Event "${name}" is published, but no installed module is named "${owner}" to declare it`,
      );
    }
    event.validate ??= this.compile(name, event);
    if (event.validate(payload)) return;
    const problems = (event.validate.errors ?? []).map((e) => {
      const params = e.params as Record<string, string | undefined>;
      const field = [e.instancePath.replace(/^\//, ''), params.missingProperty ?? params.additionalProperty].filter(Boolean).join('/') || '(payload)';
      return `field "${field}" ${e.message}`;
    });
    throw new EventDeclarationError(`Module "${event.module}" publishes event "${name}" with a payload its manifest refuses: ${problems.join('; ')}`);
  }

  private compile(name: string, event: DeclaredEvent): ValidateFunction {
    try {
      return this.ajv.compile(event.payload);
    } catch (error) {
      throw new EventDeclarationError(`Module "${event.module}": manifest.json field "events/${name}/payload" is not a usable JSON Schema: ${(error as Error).message}`);
    }
  }
}
