import type { Handler } from './handler.js';
import type { URLPattern } from './url-pattern.js';

/**
 * One route of a {@link Router}. `S` is whatever the router's owner tags a mounted route with
 * (the application uses its sub-application), so routing knows nothing of applications.
 */
export interface Route<S = unknown> {
  /** Position in the order routes were added: the first match wins. */
  readonly index: number;
  /** Accepted methods, upper case (GET also answers HEAD). */
  readonly methods: readonly string[];
  readonly pattern: URLPattern;
  readonly handler: Handler;
  /** The URL prefix of the mounted sub-application the route came from ('' if none). */
  readonly urlPrefix: string;
  /** The mounted sub-application the route came from, if any. */
  readonly subapp: S | undefined;
  /** For a static route: whether an earlier dynamic route could match its path first. */
  readonly shadowed: boolean;
}

/** A route that matched, with the arguments taken from the URL. */
export interface Match<S = unknown> {
  route: Route<S>;
  args: Record<string, unknown>;
}

/** What a route is made of when it is added (its position is given by the router). */
export type RouteSpec<S> = Omit<Route<S>, 'index' | 'shadowed'>;

const NO_ARGS: Record<string, unknown> = Object.freeze(Object.create(null));

/**
 * The route table: routes in the order they were added, with static paths looked up in a map
 * and dynamic patterns tried in turn, so that the first route that matches (in that order) wins,
 * as in Microdot.
 */
export class Router<S = unknown> {
  readonly #routes: Route<S>[] = [];
  readonly #staticRoutes = new Map<string, Route<S>[]>();
  readonly #dynamicRoutes: Route<S>[] = [];

  /** Every route, in the order added. */
  get routes(): readonly Route<S>[] {
    return this.#routes;
  }

  /** Adds a route after the others. */
  add(spec: RouteSpec<S>): void {
    const path = spec.pattern.staticPath;
    const route: Route<S> = {
      ...spec,
      index: this.#routes.length,
      shadowed: path !== undefined && this.#shadows(path),
    };
    this.#routes.push(route);
    if (path !== undefined) {
      const list = this.#staticRoutes.get(path);
      if (list === undefined) this.#staticRoutes.set(path, [route]);
      else list.push(route);
    } else {
      this.#dynamicRoutes.push(route);
    }
  }

  /**
   * The first route (in the order they were added) whose pattern matches `path` and that
   * accepts `method`; else the set of methods the matching patterns accept (a 405), or
   * `undefined` (a 404). Throws on a malformed percent-escape in a captured argument.
   */
  find(method: string, path: string): Match<S> | Set<string> | undefined {
    const statics = this.#staticRoutes.get(path);
    // The common case: the first static route for this path comes before any dynamic route
    // that could match it, so it wins without trying a single pattern.
    if (statics !== undefined && !statics[0]!.shadowed && accepts(statics[0]!, method)) {
      return { route: statics[0]!, args: NO_ARGS };
    }
    const dynamics = this.#dynamicRoutes;
    let allowed: Set<string> | undefined;
    let s = 0;
    const sLen = statics === undefined ? 0 : statics.length;
    for (let d = 0; d <= dynamics.length; d++) {
      const dynamic = dynamics[d];
      const limit = dynamic === undefined ? Number.POSITIVE_INFINITY : dynamic.index;
      while (s < sLen && statics![s]!.index < limit) {
        const route = statics![s++]!;
        if (accepts(route, method)) return { route, args: NO_ARGS };
        allowed = addMethods(allowed, route);
      }
      if (dynamic === undefined) break;
      const args = dynamic.pattern.match(path);
      if (args === undefined) continue;
      if (accepts(dynamic, method)) return { route: dynamic, args };
      allowed = addMethods(allowed, dynamic);
    }
    return allowed;
  }

  /** Whether a dynamic route added so far matches `path` (and so comes before a static one). */
  #shadows(path: string): boolean {
    for (const dynamic of this.#dynamicRoutes) {
      try {
        if (dynamic.pattern.match(path) !== undefined) return true;
      } catch {
        return true;
      }
    }
    return false;
  }
}

/**
 * The `Allow` list for a path whose routes accept `methods`: HEAD with GET, and OPTIONS, which
 * the application always answers.
 */
export function allowList(methods: ReadonlySet<string>): string {
  return allowedMethods(methods).join(', ');
}

/** The methods of an `Allow` header, as a list (for `optionsHandler`). */
export function allowedMethods(methods: ReadonlySet<string>): string[] {
  const allow = [...methods];
  if (methods.has('GET') && !methods.has('HEAD')) allow.push('HEAD');
  if (!methods.has('OPTIONS')) allow.push('OPTIONS');
  return allow;
}

function accepts(route: Route<unknown>, method: string): boolean {
  return route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));
}

function addMethods(set: Set<string> | undefined, route: Route<unknown>): Set<string> {
  const out = set ?? new Set<string>();
  for (const m of route.methods) out.add(m);
  return out;
}
