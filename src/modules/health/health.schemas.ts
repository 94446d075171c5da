import { Type } from 'typebox';

/** `/health/live`: the process answers. */
export const LiveSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });

/** `/health/ready`: every dependency answered in time. */
export const ReadySchema = Type.Object(
  {
    status: Type.Literal('ok'),
    checks: Type.Object({ database: Type.Literal('ok') }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
