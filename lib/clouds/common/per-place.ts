/**
 * An API factory that makes one API per place (an AWS account and region, an Azure subscription,
 * a GCP project) on first use and keeps it: each holds its clients and what its reads found
 * unreadable, so every caller of that place must get the same one.
 */
export function onePerPlace<Place, Api>(
  keyOf: (place: Place) => string,
  create: (place: Place) => Api,
): (place: Place) => Api {
  const apis = new Map<string, Api>();
  return (place) => {
    const key = keyOf(place);
    let api = apis.get(key);
    if (api === undefined) {
      api = create(place);
      apis.set(key, api);
    }
    return api;
  };
}
