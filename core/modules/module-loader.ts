import path from 'node:path';
import type { Kernel } from '../kernel/kernel';
import type { ModuleSource } from './manifest';
import type { ModuleContext, TesseraModule } from './module-api';
import { bindService, registerEntity } from '../resources/register-entity';
import { EventDeclarationError } from '../events/event-catalog';
import { loadCode } from './code-loader';

export class ModuleLoadError extends Error {}

/** Loads a module's entry file; only called after its manifest passed validation. */
export function loadModuleEntry(source: ModuleSource): TesseraModule {
  const file = path.join(source.dir, source.manifest.entry);
  let loaded: any;
  try {
    loaded = loadCode(file);
  } catch (error) {
    throw new ModuleLoadError(`Module "${source.manifest.name}": cannot load ${file}: ${(error as Error).message}`);
  }
  const entry = (loaded?.default ?? loaded) as TesseraModule;
  if (typeof entry?.register !== 'function') {
    throw new ModuleLoadError(`Module "${source.manifest.name}": ${file} must export (default) an object with register(m)`);
  }
  return entry;
}

/** Gives the module the same contribution points every module gets, and lets it register. */
export async function registerModule(kernel: Kernel, source: ModuleSource, entry: TesseraModule): Promise<void> {
  const name = source.manifest.name;
  const declaredSlots = new Set(kernel.manifests.flatMap((m) => m.slots));
  const routes: ModuleContext['routes'] = {
    page: (route) => kernel.routes.addPage(name, route),
    api: (route) => kernel.routes.addApi(name, route),
    publicPage: (route) => kernel.routes.addPublicPage(name, route),
  };
  const context: ModuleContext = {
    manifest: source.manifest,
    dir: source.dir,
    container: kernel.container,
    routes,
    events: {
      on: (eventName, handler, options) => kernel.events.on(name, eventName, handler, options),
      declared: (eventName) => kernel.events.catalog.has(eventName),
    },
    jobs: {
      define: (jobName, handler, options) => kernel.jobs.define(`${name}.${jobName}`, handler, options?.attempts ?? 3),
      schedule: (jobName, cron, handler) => {
        kernel.jobs.define(`${name}.${jobName}`, handler, 1);
        kernel.jobs.schedule(`${name}.${jobName}`, cron);
      },
    },
    views: {
      slot: (contribution) => {
        if (!declaredSlots.has(contribution.slot) && !kernel.entities.hasSlot(contribution.slot)) {
          throw new ModuleLoadError(`Module "${name}" fills slot "${contribution.slot}", which no installed module declares in its manifest`);
        }
        kernel.views.addSlot(name, contribution);
      },
    },
    services: { bind: (id, value) => bindService(kernel.container, id, value) },
    entities: { register: (entity, options) => registerEntity({ module: name, container: kernel.container, registry: kernel.entities, routes }, entity, options) },
    demo: (seeder) => kernel.demoSeeders.push({ module: name, seeder }),
  };
  try {
    await entry.register(context);
  } catch (error) {
    if (error instanceof ModuleLoadError || error instanceof EventDeclarationError) throw error;
    throw new ModuleLoadError(`Module "${name}": register() failed: ${(error as Error).message}`);
  }
}
