// Routes the file defines: `route`s and `routeDistribution`s, each edge checked against the network.
import type { ProblemList } from '../../../network/errors.ts';
import {
  childrenTagged,
  describe,
  splitIds,
  type XmlElement,
} from '../../../network/import/sumo-xml.ts';
import { NON_NEGATIVE, readNumber } from './numbers.ts';
import { report, requireId } from './problems.ts';
import type { DemandContext, RoutableNetwork, RouteDefinition } from './types.ts';

/** What reading a route needs: the routes defined above it, the network and the problem list. */
export type RouteScope = Pick<DemandContext, 'routes' | 'network' | 'problems'>;

/** Top-level routes, and top-level route distributions as their most probable route. */
export function readRouteDefinitions(
  elements: XmlElement[],
  network: RoutableNetwork,
  problems: ProblemList,
): Map<string, RouteDefinition> {
  const routes = new Map<string, RouteDefinition>();
  const scope: RouteScope = { routes, network, problems };
  const define = (id: string | undefined, route: RouteDefinition | undefined, where: string) => {
    if (id === undefined || route === undefined) return;
    if (routes.has(id)) report(problems, 'duplicateId', where, 'route', id, 'route');
    else routes.set(id, route);
  };
  for (const element of elements) {
    const where = describe(element);
    if (element.tag === 'route') {
      const route = readRoute(element, where, scope);
      define(requireId(element, where, problems), route, where);
    }
    if (element.tag !== 'routeDistribution') continue;
    const members = readRouteDistribution(element, where, scope);
    for (const member of members) define(member.id, member, `${where} route id="${member.id}"`);
    define(requireId(element, where, problems), mostProbable(members), where);
  }
  return routes;
}

/** A `route` with `edges` (checked against the network) or a `refId` to a route defined above. */
export function readRoute(
  element: XmlElement,
  where: string,
  scope: RouteScope,
): RouteDefinition | undefined {
  const { network, problems } = scope;
  const { id, refId } = element.attributes;
  const probability = readNumber(element, 'probability', where, NON_NEGATIVE, problems);
  const byReference = element.attributes.edges === undefined && refId !== undefined;
  const referenced = byReference ? lookUpRoute(refId, `${where} refId`, scope) : undefined;
  const edges = byReference ? referenced?.edges : readEdges(element, where, network, problems);
  if (edges === undefined) return undefined;
  const route: RouteDefinition = {
    edges,
    probability: probability ?? referenced?.probability ?? 1,
  };
  if (id !== undefined) route.id = id;
  return route;
}

/** The members of a `routeDistribution`: nested routes and `routes="a b"` ids defined above. */
export function readRouteDistribution(
  element: XmlElement,
  where: string,
  scope: RouteScope,
): RouteDefinition[] {
  const nested = childrenTagged(element, 'route').flatMap((child) => {
    const route = readRoute(child, `${where} ${describe(child)}`, scope);
    return route ? [route] : [];
  });
  const named = splitIds(element.attributes.routes).flatMap((routeId) => {
    const route = lookUpRoute(routeId, `${where} routes`, scope);
    // Without its id: a member named here is used, not defined again.
    return route ? [{ edges: route.edges, probability: route.probability }] : [];
  });
  return [...nested, ...named];
}

/** The route with the highest probability; the first listed on a tie. */
export function mostProbable(routes: RouteDefinition[]): RouteDefinition | undefined {
  return routes.reduce<RouteDefinition | undefined>(
    (best, route) => (best === undefined || route.probability > best.probability ? route : best),
    undefined,
  );
}

/** The route defined as `routeId`; undefined, with an `UNKNOWN_ROUTE` problem, when there is none. */
export function lookUpRoute(
  routeId: string,
  where: string,
  scope: RouteScope,
): RouteDefinition | undefined {
  const route = scope.routes.get(routeId);
  if (route === undefined) report(scope.problems, 'unknownRoute', where, routeId);
  return route;
}

function readEdges(
  element: XmlElement,
  where: string,
  network: RoutableNetwork,
  problems: ProblemList,
): string[] | undefined {
  const edges = splitIds(element.attributes.edges);
  if (edges.length === 0) {
    report(problems, 'noEdges', `${where} edges`);
    return undefined;
  }
  // A faulty route is still defined, so the vehicles using it add no second problem.
  checkRoute(edges, `${where} edges`, network, problems);
  return edges;
}

/** Every edge in the network and each consecutive pair joined by a connection. */
function checkRoute(
  edges: string[],
  where: string,
  network: RoutableNetwork,
  problems: ProblemList,
): void {
  const unknown = new Set(edges.filter((edge) => !network.hasLink(edge)));
  for (const edge of unknown) report(problems, 'unknownEdge', where, edge);
  for (const [from, to] of consecutivePairs(edges)) {
    if (unknown.has(from) || unknown.has(to) || network.isConnected(from, to)) continue;
    report(problems, 'notConnected', where, from, to);
  }
}

function consecutivePairs(edges: string[]): Array<[string, string]> {
  return edges.flatMap((from, index): Array<[string, string]> => {
    const to = edges[index + 1];
    return to === undefined ? [] : [[from, to]];
  });
}
