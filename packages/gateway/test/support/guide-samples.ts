// The guide's sample activation requests (spec §4.1), byte for byte: with the demo merchant's credentials
// their signature is valid, so they must work verbatim.
export const GUIDE_ACTIVATION_JSON = `{"request":"Account Activation OVO OpenAPI","merchant_id":"99999","payment_channel":"720",
 "phone_no":"081382826301","cust_name":"Andrea Hinata","signature":"1d4c5f7246a762c4ab61cd3d399efa4c28978bf3"}`;

export const GUIDE_ACTIVATION_XML = `<?xml version="1.0" encoding="UTF-8" ?>
<faspay>
<request>Account Activation OVO OpenAPI</request>
<merchant_id>99999</merchant_id>
<payment_channel>720</payment_channel>
<phone_no>081382826301</phone_no>
<cust_name>Andrea Hinata</cust_name>
<signature>1d4c5f7246a762c4ab61cd3d399efa4c28978bf3</signature>
</faspay>
`;
