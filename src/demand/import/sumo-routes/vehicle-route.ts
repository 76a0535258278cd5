// The route one vehicle, trip or flow drives: nested, named by id, or routed from `from` to `to`.
import { childrenTagged, splitIds, type XmlElement } from '../../../network/import/sumo-xml.ts';
import { readRoute, readRouteDistribution, lookUpRoute, mostProbable } from './routes.ts';
import { report } from './problems.ts';
import type { DemandContext } from './types.ts';

/** The element's route as edge ids; undefined, with a problem, when it has none that works. */
export function resolveRoute(
  element: XmlElement,
  where: string,
  context: DemandContext,
): string[] | undefined {
  const nestedRoute = childrenTagged(element, 'route')[0];
  if (nestedRoute !== undefined) return readRoute(nestedRoute, `${where} route`, context)?.edges;
  const nestedDistribution = childrenTagged(element, 'routeDistribution')[0];
  if (nestedDistribution !== undefined) {
    const members = readRouteDistribution(
      nestedDistribution,
      `${where} routeDistribution`,
      context,
    );
    return mostProbable(members)?.edges;
  }
  const { route, from, to } = element.attributes;
  if (route !== undefined) return lookUpRoute(route, `${where} route`, context)?.edges;
  if (from !== undefined && to !== undefined)
    return routeTrip(from, to, splitIds(element.attributes.via), where, context);
  report(context.problems, 'noRoute', where, element.tag);
  return undefined;
}

/** Routes a trip on the network, once per origin, destination and via list. */
function routeTrip(
  from: string,
  to: string,
  via: string[],
  where: string,
  context: DemandContext,
): string[] | undefined {
  const { network, problems, tripRoutes } = context;
  const ends: Array<[string, string[]]> = [
    ['from', [from]],
    ['via', via],
    ['to', [to]],
  ];
  const unknown = ends.flatMap(([role, edges]) =>
    edges.filter((edge) => !network.hasLink(edge)).map((edge) => [role, edge] as const),
  );
  for (const [role, edge] of unknown) report(problems, 'unknownEdge', `${where} ${role}`, edge);
  if (unknown.length > 0) return undefined;
  const key = [from, to, ...via].join(' ');
  if (!tripRoutes.has(key))
    tripRoutes.set(key, network.route(from, to, via.length > 0 ? via : undefined));
  const route = tripRoutes.get(key);
  if (route !== undefined && route.length > 0) return route;
  const through = via.length > 0 ? ` via ${via.map((edge) => `"${edge}"`).join(', ')}` : '';
  report(problems, 'noPath', where, from, to, through);
  return undefined;
}
