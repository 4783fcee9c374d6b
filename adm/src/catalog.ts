/** The five Trellis services as the admin tool sees them: names, HTTP prefixes and local ports. */

export type ServiceName = 'authorization' | 'studio' | 'repository' | 'action-builder' | 'runner';

export type ServiceInfo = {
  readonly name: ServiceName;
  /** Path prefixes the service serves under (no stripping at the gateway); the first one carries /healthz. */
  readonly prefixes: readonly string[];
  readonly defaultPort: number;
  readonly usesObjectStore: boolean;
};

export const SERVICES: readonly ServiceInfo[] = [
  { name: 'authorization', prefixes: ['/authorization'], defaultPort: 8101, usesObjectStore: false },
  { name: 'studio', prefixes: ['/studio'], defaultPort: 8102, usesObjectStore: true },
  { name: 'repository', prefixes: ['/repository'], defaultPort: 8103, usesObjectStore: true },
  { name: 'action-builder', prefixes: ['/builder'], defaultPort: 8104, usesObjectStore: true },
  { name: 'runner', prefixes: ['/runner', '/user-api'], defaultPort: 8105, usesObjectStore: true },
];

/** `action-builder` -> `action_builder`: the part of database, role and broker user names. */
export function dbIdentOf(service: ServiceName): string {
  return service.replaceAll('-', '_');
}

/** `action-builder` -> `ACTION_BUILDER`: the part of per-service environment variable names. */
export function envIdentOf(service: ServiceName): string {
  return dbIdentOf(service).toUpperCase();
}

/** The env var that moves a service's local port, e.g. TRELLIS_ACTION_BUILDER_PORT. */
export function portEnvOf(service: ServiceName): string {
  return `TRELLIS_${envIdentOf(service)}_PORT`;
}

/** The emitter exchange every service owns (DESIGN.md section 3). */
export function exchangeOf(service: ServiceName): string {
  return `trellis.${service}`;
}

export function healthPathOf(service: ServiceInfo): string {
  return `${service.prefixes[0]}/healthz`;
}

/** The PostgreSQL role, its database and the broker user of a service: `<namePrefix>_<service>`, e.g. trellis_action_builder. */
export function accountOf(namePrefix: string, service: ServiceName): string {
  return `${namePrefix}_${dbIdentOf(service)}`;
}
