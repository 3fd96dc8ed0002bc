import { describeEventBusBehaviour } from './bus-behaviour';
import { createMemoryBus } from './memory-bus';

describeEventBusBehaviour('memory bus', async () => ({ bus: createMemoryBus(), dispose: async () => undefined }));
