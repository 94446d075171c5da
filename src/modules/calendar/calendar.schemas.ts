import { Type } from 'typebox';
import { FEED_TOKEN_PATTERN } from './calendar.service.js';

export const CalendarFeedSchema = Type.Object(
  {
    url: Type.String({
      format: 'uri',
      description: 'The feed URL to subscribe to (holds the secret token: shown only now).',
    }),
    token: Type.String({ pattern: FEED_TOKEN_PATTERN, description: 'The secret token alone.' }),
  },
  { additionalProperties: false, title: 'CalendarFeed' },
);

export const CalendarFeedQuery = Type.Object(
  {
    token: Type.String({
      pattern: FEED_TOKEN_PATTERN,
      description: 'The secret token of the feed URL.',
    }),
  },
  { additionalProperties: false },
);
