import { assetNotFound, ok } from '../http.js';
import type { Route } from '../router.js';
import { findVoice, VOICES } from '../voices-catalogue.js';

export function voiceRoutes(): Route[] {
  return [
    // A bare array: Retell does not paginate voices.
    { method: 'GET', path: '/list-voices', handler: () => ok(VOICES) },
    {
      method: 'GET',
      path: '/get-voice/{voice_id}',
      handler: ({ params }) => {
        const voice = findVoice(params.voice_id!);
        if (!voice) throw assetNotFound();
        return ok(voice);
      },
    },
  ];
}
