import { MemoryBus } from '../../src/bus/memory.js';
import { busContract } from './contract.js';

// One process, one bus: the "nodes" share the instance, as everything in one Parley does.
const shared = new MemoryBus();
busContract('in-process', () => ({ publish: shared.publish.bind(shared), subscribe: shared.subscribe.bind(shared), close: async () => {} }));
