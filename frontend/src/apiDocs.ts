// The interactive API reference at /api/v1/docs: Swagger UI from its npm package, built
// into the web app's own assets, so the app's security policy (script-src 'self') lets it
// run, with no script from elsewhere and none inline.
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';

SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // "Authorize" takes an access token (POST /api/v1/auth/login); it stays for a reload.
  persistAuthorization: true,
  tryItOutEnabled: false,
  displayRequestDuration: true,
});
