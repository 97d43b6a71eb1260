import { MemoryPresence, type Registry } from '../../src/presence/memory.js';
import { presenceContract } from './contract.js';

// One registry: the "nodes" are servers in one process, as in the in-process cluster suite.
const registry: Registry = new Map();
presenceContract('in-process', (id) => new MemoryPresence(id, registry));
