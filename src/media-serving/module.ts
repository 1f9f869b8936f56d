import type { ReelmModule } from '../modules/module.ts';
import { deliveryConfigSchema, type DeliveryConfig } from './delivery-config.ts';
import { mediaRoutes } from './media-routes.ts';

// Media serving: /media/<realm>/<key> with access checks, signed grants,
// Range/ETag and the delivery modes; the `delivery` configuration section.

declare module '../config/config.ts' {
  interface PartConfig {
    /** Who carries media bytes (direct | x-accel | redirect) and grant lifetime (src/media-serving/delivery-config.ts). */
    delivery: DeliveryConfig;
  }
}

export const mediaServingModule: ReelmModule = {
  name: 'media-serving',
  routes: mediaRoutes,
  config: {
    shape: { delivery: deliveryConfigSchema },
    fromEnv(env, merged) {
      if (env.REELM_MEDIA_DELIVERY) merged.delivery = { ...(merged.delivery ?? {}), mode: env.REELM_MEDIA_DELIVERY };
    },
  },
};
