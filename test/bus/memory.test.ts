import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBus } from '../../src/bus/memory.js';
import { busContract } from './contract.js';

// One process, one bus: the "nodes" share the instance, as the servers of the in-process cluster suite do.
const shared = new MemoryBus();
busContract('in-process', () => Object.assign(Object.create(shared) as MemoryBus, { close: async () => {} }));

test('in-process bus: an outage loses publishes and refuses subscriptions; recovery tells the listeners', async () => {
  const bus = new MemoryBus();
  const got: string[] = [];
  await bus.subscribe('c', (p) => got.push(p));
  let reconnects = 0;
  bus.onReconnect(() => reconnects++);
  bus.down = true;
  assert.equal(bus.up, false);
  bus.publish('c', 'lost');
  await assert.rejects(bus.subscribe('d', () => {}));
  bus.down = false;
  assert.equal(reconnects, 1);
  bus.publish('c', 'kept');
  assert.deepEqual(got, ['kept']);
});
