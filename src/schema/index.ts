import { builder } from './builder.js';
import './scalars.js';
import './session.js';
import './agent.js';
import './pairing.js';
import './oauth.js';
import './audit.js';
import './projects.js';
import './actor.js';
import './issues.js';
import './comments.js';
import './labels-assignees.js';
import './relations.js';
import './planning.js';
import './writes.js';

builder.queryType({});
builder.mutationType({});

/** The schema as Pothos builds it (scope auth on every field); http/yoga.ts adds the shield layer. */
export const pothosSchema = builder.toSchema({ sortSchema: true });
