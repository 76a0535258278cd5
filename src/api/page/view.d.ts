// Types of the web page's pure helpers (view.js is served to the browser as it is, so it is plain JS).
export type Point = [number, number];

export declare const COLOURS: Record<
  'online' | 'pending' | 'offline' | 'unknown' | 'fault' | 'warning' | 'boundary' | 'link',
  string
>;

export declare function projection(
  bounds: readonly [number, number, number, number],
  coordinates: 'lonlat' | 'planar',
  box: { width: number; height: number; margin?: number },
): (position: readonly [number, number]) => Point;

export declare function fittedHeight(
  bounds: readonly [number, number, number, number],
  coordinates: 'lonlat' | 'planar',
  width: number,
  options?: { margin?: number; min?: number; max?: number },
): number;

export declare function offsetPolyline(points: readonly Point[], distance: number): Point[];

export declare function detectorPoint(
  start: readonly [number, number],
  end: readonly [number, number],
  fraction: number,
  lane: number,
  options?: { clear?: number; laneWidth?: number; offset?: number },
): Point;

export declare function pathData(points: readonly Point[]): string;

export declare function controllerState(
  controller:
    { presence?: { state: string }; pending?: { version: number } | undefined } | undefined,
): { colour: string; label: string };

export declare function detectorColour(status: string): string;

export declare function levelOfServiceColour(level: string): string;

export interface StageRow {
  stage: string;
  groups: string;
  green: number;
  yellow: number;
  allRed: number;
  minGreen: number;
  /** Seconds after the first stage's green starts. */
  start: number;
}

export declare function stageRows(plan: {
  stages: readonly {
    id: string;
    greens: Record<string, string>;
    green: number;
    yellow: number;
    allRed: number;
    minGreen: number;
  }[];
}): StageRow[];

export declare function seconds(value: number | null | undefined): string;

export declare function signed(value: number | null | undefined): string;

export declare function escapeHtml(text: unknown): string;
