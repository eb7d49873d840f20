/** The service subgraph: owns `ServiceProfile` and `Ticket`. Run directly to serve on SERVICE_PORT (4002). */
import { projectPath } from '../../lib/projectPath';
import { runSubgraphMain } from '../../lib/runSubgraphMain';
import type { SubgraphDefinition } from '../../lib/startSubgraph';
import { createFollowers } from './followers';
import { createLoaders, type ServiceLoaders } from './loaders';
import { createServiceModels, type ServiceModels } from './models';
import { resolvers } from './resolvers';

export const serviceSubgraph: SubgraphDefinition<ServiceModels, ServiceLoaders> = {
  name: 'service',
  schemaPath: projectPath('schema/service.graphql'),
  resolvers: resolvers as SubgraphDefinition<ServiceModels, ServiceLoaders>['resolvers'],
  createModels: createServiceModels,
  createLoaders,
  createFollowers,
};

if (require.main === module) runSubgraphMain(serviceSubgraph);
