// Test fixture: the textbook alternate-offset corridor and its optimal bands, for the diagram tests.
import type { BandwidthResult, Corridor } from '../optimize/corridor.ts';

export const IDS = ['S1', 'S2', 'S3', 'S4', 'S5'];

/**
 * The textbook alternate-offset corridor: signals 400 m apart, 10 m/s, so 40 s between signals,
 * half a cycle of 80 s; greens of half the cycle at offsets 0/40 give full bands of 40 s both ways
 * (efficiency (40 + 40) / 160 = 0.5).
 */
export const TEXTBOOK: Corridor = {
  cycle: { min: 60, max: 120 },
  speed: { min: 8, max: 14 },
  signals: IDS.map((id, index) => ({ id, position: 400 * index, green: 0.5 })),
};

export const TEXTBOOK_RESULT: BandwidthResult = {
  cycle: 80,
  bandwidth: { outbound: 40, inbound: 40 },
  efficiency: 0.5,
  signals: IDS.map((id, index) => ({ id, offset: index % 2 === 0 ? 0 : 40 })),
  links: IDS.slice(1).map((to, index) => ({ from: IDS[index]!, to, outbound: 10, inbound: 10 })),
};
