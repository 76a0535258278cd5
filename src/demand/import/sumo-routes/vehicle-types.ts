// Vehicle types: SUMO's built-ins and the file's vTypes and vTypeDistributions, each with its PCE.
import type { ProblemList } from '../../../network/errors.ts';
import {
  childrenTagged,
  describe,
  parseDecimal,
  splitIds,
  type XmlElement,
} from '../../../network/import/sumo-xml.ts';
import { NON_NEGATIVE, POSITIVE, readNumber } from './numbers.ts';
import { report, requireId } from './problems.ts';
import type { DemandContext, SumoVehicleType } from './types.ts';

/** PCE by vClass, the weights of SUMO's `tlsCycleAdaptation.py`; any other class counts 1. */
const PCE_BY_VEHICLE_CLASS: Readonly<Record<string, number>> = {
  bicycle: 0.2,
  moped: 0.5,
  motorcycle: 0.5,
  truck: 3.5,
  trailer: 3.5,
  bus: 3.5,
  coach: 3.5,
};

/** Types SUMO defines without a file; a file may redefine each once. */
const BUILT_IN_VEHICLE_TYPES: readonly SumoVehicleType[] = [
  { id: 'DEFAULT_VEHTYPE', vehicleClass: 'passenger', pce: 1 },
  { id: 'DEFAULT_BIKETYPE', vehicleClass: 'bicycle', pce: 0.2 },
  { id: 'DEFAULT_TAXITYPE', vehicleClass: 'taxi', pce: 1 },
];

/** A type and its `probability` within a distribution. */
interface TypeMember {
  type: SumoVehicleType;
  probability: number;
}

/**
 * All types a vehicle may name: SUMO's built-ins, then the file's in file order. The file's own
 * types are also pushed onto `fileTypes`, for `readSumoVehicleTypes`.
 */
export function readVehicleTypeCatalogue(
  elements: XmlElement[],
  problems: ProblemList,
  fileTypes: SumoVehicleType[] = [],
): Map<string, SumoVehicleType> {
  const catalogue = new Map(BUILT_IN_VEHICLE_TYPES.map((type) => [type.id, type]));
  const declaredProbability = new Map<string, number>();
  const define = (type: SumoVehicleType | undefined, where: string): void => {
    if (type === undefined) return;
    if (fileTypes.some((defined) => defined.id === type.id)) {
      report(problems, 'duplicateId', where, 'vType', type.id, 'vType and vTypeDistribution');
      return;
    }
    fileTypes.push(type);
    catalogue.set(type.id, type);
  };
  for (const element of elements) {
    if (element.tag === 'vType') {
      const member = readVehicleType(element, describe(element), problems);
      if (member) declaredProbability.set(member.type.id, member.probability);
      define(member?.type, describe(element));
    }
    if (element.tag !== 'vTypeDistribution') continue;
    const members = childrenTagged(element, 'vType').flatMap((child) => {
      const where = `${describe(element)} ${describe(child)}`;
      const member = readVehicleType(child, where, problems);
      define(member?.type, where);
      return member ? [member] : [];
    });
    define(
      readTypeDistribution(element, members, catalogue, declaredProbability, problems),
      describe(element),
    );
  }
  return catalogue;
}

/** The type a vehicle, trip or flow names with `type`, SUMO's default when it names none. */
export function lookUpVehicleType(
  element: XmlElement,
  where: string,
  context: DemandContext,
): SumoVehicleType | undefined {
  const typeId = element.attributes.type ?? 'DEFAULT_VEHTYPE';
  const type = context.vehicleTypes.get(typeId);
  if (type === undefined) report(context.problems, 'unknownType', `${where} type`, typeId);
  return type;
}

function readVehicleType(
  element: XmlElement,
  where: string,
  problems: ProblemList,
): TypeMember | undefined {
  const id = requireId(element, where, problems);
  const vehicleClass = element.attributes.vClass ?? 'passenger';
  const length = readNumber(element, 'length', where, POSITIVE, problems);
  const probability = readNumber(element, 'probability', where, NON_NEGATIVE, problems) ?? 1;
  if (id === undefined) return undefined;
  const type: SumoVehicleType = { id, vehicleClass, pce: PCE_BY_VEHICLE_CLASS[vehicleClass] ?? 1 };
  if (length !== undefined) type.length = length;
  return { type, probability };
}

/** A distribution of nested `vType`s and/or `vTypes="a b"` (`probabilities="0.3 0.7"`). */
function readTypeDistribution(
  element: XmlElement,
  nested: TypeMember[],
  catalogue: ReadonlyMap<string, SumoVehicleType>,
  declaredProbability: ReadonlyMap<string, number>,
  problems: ProblemList,
): SumoVehicleType | undefined {
  const where = describe(element);
  const id = requireId(element, where, problems);
  const { vTypes, probabilities } = element.attributes;
  const named = splitIds(vTypes);
  const given = splitIds(probabilities).map(parseDecimal);
  const wellFormed = given.length === named.length && given.every((p) => p !== undefined && p >= 0);
  if (probabilities !== undefined && !wellFormed) {
    report(problems, 'badProbabilities', `${where} probabilities`, probabilities);
    return undefined;
  }
  const referenced = named.flatMap((typeId, index): TypeMember[] => {
    const type = catalogue.get(typeId);
    if (type === undefined) {
      report(problems, 'typeNotAbove', `${where} vTypes`, typeId);
      return [];
    }
    const probability =
      probabilities === undefined ? declaredProbability.get(typeId) : given[index];
    return [{ type, probability: probability ?? 1 }];
  });
  const members = [...nested, ...referenced];
  const total = members.reduce((sum, member) => sum + member.probability, 0);
  if (!(total > 0)) {
    report(problems, 'noProbableMember', where);
    return undefined;
  }
  if (id === undefined) return undefined;
  const pce =
    members.reduce((sum, member) => sum + member.probability * member.type.pce, 0) / total;
  return { id, pce };
}
