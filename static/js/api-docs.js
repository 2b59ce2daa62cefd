/* The API documentation page: Swagger UI on the generated OpenAPI document. "Try it out"
   calls the API with the visitor's session (reads) or with a token they paste. */
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({
    url: target.dataset.specUrl,
    domNode: target,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0
  });
})();
