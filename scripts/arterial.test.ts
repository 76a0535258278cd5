// Arterial detection on net and route snippets shaped like SUMO 1.15's, expected values by hand.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findArterial, signalSequence, signalsByEdge, vehicleRoutes } from './arterial.ts';

// Connections as netconvert writes them (atlanta_1x5): one signal, a joined signal over two
// junctions (cologne3's GS_cluster), an unsignalized junction and an internal-lane connection.
const net = `<net version="1.9">
    <connection from="-198659569#3" to="-354587522#9" fromLane="0" toLane="0" via=":69227168_8_0" tl="69227168" linkIndex="8" dir="r" state="o"/>
    <connection from="-198659569#3" to="-9246225#5" fromLane="0" toLane="0" via=":69227168_10_0" tl="69227168" linkIndex="10" dir="s" state="o"/>
    <connection from="a1" to="a2" fromLane="0" toLane="0" via=":J2_0_0" tl="GS_cluster_2_3" linkIndex="0" dir="s" state="O"/>
    <connection from="a2" to="a3" fromLane="0" toLane="0" via=":J3_0_0" tl="GS_cluster_2_3" linkIndex="4" dir="s" state="O"/>
    <connection from="minor" to="a1" fromLane="0" toLane="0" via=":J9_0_0" dir="s" state="M"/>
    <connection from=":69227168_8_0" to="-354587522#9" fromLane="0" toLane="0" dir="r" state="M"/>
</net>`;

describe('signalsByEdge', () => {
  it('maps each edge with a signalized connection to its tl id, and nothing else', () => {
    expect(signalsByEdge(net)).toEqual(
      new Map([
        ['-198659569#3', '69227168'],
        ['a1', 'GS_cluster_2_3'],
        ['a2', 'GS_cluster_2_3'],
      ]),
    );
  });
});

describe('vehicleRoutes', () => {
  it('reads nested and named routes, and skips trips, which have none', () => {
    const routes = `<routes>
        <route id="main" edges="a1 a2 a3"/>
        <vehicle id="nested" depart="25207.00" type="pkw">
            <route edges="-5229966#3 319261593#15"/>
        </vehicle>
        <vehicle id="named" depart="12" route="main"/>
        <trip id="unrouted" depart="3" from="a1" to="a3"/>
        <vehicle id="after" depart="14"><route edges="x"/></vehicle>
    </routes>`;
    expect(vehicleRoutes(routes)).toEqual([
      { id: 'nested', depart: 25207, edges: ['-5229966#3', '319261593#15'] },
      { id: 'named', depart: 12, edges: ['a1', 'a2', 'a3'] },
      { id: 'after', depart: 14, edges: ['x'] },
    ]);
  });
});

describe('signalSequence', () => {
  it('counts a joined signal met on consecutive edges once, but a signal met again twice', () => {
    const signals = new Map([
      ['a1', 'S'],
      ['a2', 'S'],
      ['b', 'T'],
      ['c', 'S'],
    ]);
    expect(signalSequence(['a1', 'a2', 'x', 'b', 'c'], signals)).toEqual(['S', 'T', 'S']);
  });
});

describe('findArterial', () => {
  // Three signals along a street: eastbound edges e1 e2 e3 end at A B C, westbound w3 w2 w1 at C B A.
  const street = new Map([
    ['e1', 'A'],
    ['e2', 'B'],
    ['e3', 'C'],
    ['w3', 'C'],
    ['w2', 'B'],
    ['w1', 'A'],
    ['side', 'B'],
    ['loop', 'A'],
  ]);
  const vehicle = (id: string, edges: string) => ({ id, depart: 0, edges: edges.split(' ') });

  it('takes the longest signal sequence and both directions of through traffic', () => {
    const arterial = findArterial(
      [
        vehicle('east', 'e1 e2 e3 out'),
        vehicle('west', 'w3 w2 w1 out'),
        vehicle('turning', 'side e3'),
        vehicle('partial', 'e2 e3'),
      ],
      street,
    );
    expect(arterial.signals).toEqual(['A', 'B', 'C']);
    expect(arterial.throughVehicles).toEqual(new Set(['east', 'west']));
  });

  it('ignores a route that passes a signal twice, however long', () => {
    const arterial = findArterial(
      [vehicle('looping', 'e1 e2 e3 w3 w2 w1'), vehicle('east', 'e1 e2')],
      street,
    );
    expect(arterial.signals).toEqual(['A', 'B']);
    expect(arterial.throughVehicles).toEqual(new Set(['looping', 'east']));
  });

  it('breaks a tie in length towards the sequence more vehicles drive', () => {
    const arterial = findArterial(
      [vehicle('turning', 'side e3'), vehicle('west1', 'w2 w1'), vehicle('west2', 'w2 w1')],
      street,
    );
    expect(arterial.signals).toEqual(['B', 'A']);
  });

  it('finds no arterial and no through traffic on a network without signals', () => {
    const arterial = findArterial([vehicle('v', 'x y')], new Map());
    expect(arterial).toEqual({ signals: [], throughVehicles: new Set() });
  });

  it('is never shorter than a repeat-free signal sequence some vehicle drives', () => {
    const edges = [...street.keys(), 'free'];
    const route = fc.array(fc.constantFrom(...edges), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(route, { minLength: 1, maxLength: 6 }), (routes) => {
        const vehicles = routes.map((edgeList, i) => ({ id: `v${i}`, depart: 0, edges: edgeList }));
        const { signals, throughVehicles } = findArterial(vehicles, street);
        for (const { id, edges: driven } of vehicles) {
          const sequence = signalSequence(driven, street);
          if (new Set(sequence).size === sequence.length) {
            expect(signals.length).toBeGreaterThanOrEqual(sequence.length);
          }
          if (signals.length > 0 && sequence.join() === signals.join()) {
            expect(throughVehicles.has(id)).toBe(true);
          }
        }
      }),
    );
  });
});
