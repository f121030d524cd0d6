"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of the lead intake API.

The request schema is read off LeadIntakeForm, so the document cannot drift from what
the endpoint accepts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from leads.api import MAX_BODY_BYTES
from leads.enums import Grade
from leads.forms.intake import JsonBooleanField, JsonChoiceField, JsonIntegerField, LeadIntakeForm

DESCRIPTIONS = {
    "name": "The customer's name.",
    "phone": "Mobile phone number; national (13800138000) or international "
             "(+86 138 0013 8000) form. One phone is one customer of the store.",
    "channel": "Where the lead comes from; must be the channel the API key was issued for.",
    "external_id": "Your id of this lead. The same (channel, external_id) sent again returns "
                   "the first result and creates nothing.",
    "model_interest": "The model the customer asks about.",
    "purchase_window": "When the customer wants to buy: 3d within 3 days (grade A), "
                       "1m within a month (B), 3m+ later (C). Absent means C.",
    "budget_min": "Budget from, in CNY.",
    "budget_max": "Budget up to, in CNY; not below budget_min.",
    "city": "The customer's city.",
    "note": "Anything else the customer said.",
    "marketing_consent": "The customer agreed to receive marketing messages.",
}


def _property(name: str, field: forms.Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if isinstance(field, JsonChoiceField):
        schema = {"type": "string", "enum": [value for value, _label in field.choices]}
    elif isinstance(field, JsonIntegerField):
        schema = {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    elif isinstance(field, JsonBooleanField):
        schema = {"type": "boolean", "default": False}
    else:
        schema = {"type": "string"}
        if field.min_length:
            schema["minLength"] = field.min_length
        if field.max_length:
            schema["maxLength"] = field.max_length
    if not field.required:
        # Optional fields may also be sent as null, which means "not given".
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    schema["description"] = DESCRIPTIONS[name]
    return schema


def _error_response(description: str, **headers: dict) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def openapi_document() -> dict[str, Any]:
    form = LeadIntakeForm({}, key_channel="")
    properties = {name: _property(name, field) for name, field in form.fields.items()}
    required = [name for name, field in form.fields.items() if field.required]
    result_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/LeadResult"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dealership lead intake API",
            "version": "1.0.0",
            "description": "Send leads from websites, vertical media and live-stream tools "
                           "to a store. Keys are issued per store and channel.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/leads": {
                "post": {
                    "operationId": "createLead",
                    "summary": "Send a lead",
                    "requestBody": {
                        "required": True,
                        "description": f"A JSON object of at most {MAX_BODY_BYTES} bytes.",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/LeadIntake"}}},
                    },
                    "responses": {
                        "201": {"description": "A new customer: the lead was created.",
                                "content": result_ref},
                        "200": {"description": "The phone is already a customer of the "
                                               "store: the enquiry was attached to them "
                                               "(duplicate is true). Also a replayed "
                                               "external_id whose first answer was 200.",
                                "content": result_ref},
                        "400": _error_response(
                            "The body is no JSON object, or fields are invalid; errors "
                            "per field, request-level ones under __all__."),
                        "401": _error_response(
                            "Missing, unknown or revoked API key.",
                            **{"WWW-Authenticate": {"schema": {"type": "string"},
                                                    "description": "Bearer"}}),
                        "405": _error_response("Only POST is allowed."),
                        "413": _error_response(f"The body is over {MAX_BODY_BYTES} bytes."),
                        "429": _error_response(
                            "The key sent more requests this minute than its limit "
                            "(600 unless set otherwise).",
                            **{"Retry-After": {"schema": {"type": "integer"},
                                               "description": "Seconds to wait."}}),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "Authorization: Bearer <key>"},
            },
            "schemas": {
                "LeadIntake": {
                    "type": "object",
                    "required": required,
                    "properties": properties,
                    "additionalProperties": True,
                },
                "LeadResult": {
                    "type": "object",
                    "required": ["id", "grade", "owner", "duplicate"],
                    "properties": {
                        "id": {"type": "integer", "description": "The lead's id."},
                        "grade": {"type": "string", "enum": list(Grade.values)},
                        "owner": {"type": ["string", "null"],
                                  "description": "The consultant's name; null while the "
                                                 "lead waits in the store's pool."},
                        "duplicate": {"type": "boolean"},
                    },
                },
                "Errors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array",
                                                     "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
    }


@require_safe
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document())
