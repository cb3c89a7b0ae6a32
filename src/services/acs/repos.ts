// The repositories the ACS uses, built once from the store.
import type { Store } from '../../store/index.ts';
import { DeviceRepo } from '../../store/devices.ts';
import { ParameterRepo } from '../../store/parameters.ts';
import { TaskRepo } from '../../store/tasks.ts';
import { EventRepo } from '../../store/events.ts';
import { FaultRepo } from '../../store/faults.ts';
import { SessionRepo } from '../../store/sessions.ts';
import { TransferRepo } from '../../store/transfers.ts';

export interface Repos {
  devices: DeviceRepo;
  parameters: ParameterRepo;
  tasks: TaskRepo;
  events: EventRepo;
  faults: FaultRepo;
  sessions: SessionRepo;
  transfers: TransferRepo;
}

export function makeRepos(store: Store): Repos {
  return {
    devices: new DeviceRepo(store),
    parameters: new ParameterRepo(store),
    tasks: new TaskRepo(store),
    events: new EventRepo(store),
    faults: new FaultRepo(store),
    sessions: new SessionRepo(store),
    transfers: new TransferRepo(store),
  };
}
