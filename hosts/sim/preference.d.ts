// The SDK's Preference module (typings/preference.d.ts), for type-checking
// hosts/sim outside mcconfig; mcconfig uses the SDK's own typings.
declare module "preference" {
	const Preference: {
		set(domain: string, key: string, value: boolean | number | string | ArrayBuffer): void;
		get(domain: string, key: string): boolean | number | string | ArrayBuffer | undefined;
		delete(domain: string, key: string): void;
		keys(domain: string): string[];
	};
	export default Preference;
}
