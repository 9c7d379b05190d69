/// The hub API's OpenAPI 3.0 description, served at `/api/v1/openapi.json`.
///
/// Tests check it against the router (every route documented, nothing extra) and against an
/// OpenAPI validator, so it cannot drift from what the server does unnoticed.
public enum OpenAPIDocument {
  /// The document as JSON text.
  public static let json: String = #"""
    {
      "openapi": "3.0.3",
      "info": {
        "title": "Loam hub API",
        "version": "0.1.0",
        "description": "Sensor appliances publish readings to the hub; people and programs read them back. Times are RFC 3339 in UTC with milliseconds. Errors are always JSON: {\"error\":{\"code\":...,\"message\":...}}."
      },
      "servers": [{"url": "/"}],
      "paths": {
        "/api/v1/readings": {
          "post": {
            "summary": "Publish a batch of readings from one appliance",
            "description": "Readings whose seq is at or below the highest seq already stored for the appliance are duplicates: counted, not stored again. The batch is durable on the hub's disk before the response is sent.",
            "operationId": "publishReadings",
            "requestBody": {
              "required": true,
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReadingBatch"}}}
            },
            "responses": {
              "200": {"description": "Stored (or already stored)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}}},
              "400": {"$ref": "#/components/responses/Error"},
              "413": {"$ref": "#/components/responses/Error"},
              "503": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/sensors": {
          "get": {
            "summary": "List every sensor with its latest reading",
            "operationId": "listSensors",
            "responses": {
              "200": {"description": "Sensors sorted by id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SensorList"}}}}
            }
          }
        },
        "/api/v1/sensors/{id}": {
          "get": {
            "summary": "One sensor with its latest reading",
            "operationId": "getSensor",
            "parameters": [{"$ref": "#/components/parameters/SensorID"}],
            "responses": {
              "200": {"description": "The sensor", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Sensor"}}}},
              "404": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/sensors/{id}/readings": {
          "get": {
            "summary": "A sensor's readings in a time range, oldest first, one by one or summarised",
            "description": "Returns the most recent `limit` readings with since <= time <= until (since must not be later than until); `truncated` says whether older ones in the range were left out. With `bucket_seconds`, returns instead the most recent `limit` buckets of that width that hold readings in the range (a BucketList): each starts at a whole multiple of the width since the Unix epoch and gives the count, mean, minimum and maximum of its readings, so that a chart of a week needs hundreds of points, not every reading.",
            "operationId": "listSensorReadings",
            "parameters": [
              {"$ref": "#/components/parameters/SensorID"},
              {"name": "since", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}},
              {"name": "until", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}},
              {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 20000, "default": 1000}},
              {"name": "bucket_seconds", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 31622400}}
            ],
            "responses": {
              "200": {"description": "The readings (a ReadingList), or with bucket_seconds their summary (a BucketList)", "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/ReadingList"}, {"$ref": "#/components/schemas/BucketList"}]}}}},
              "400": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/health": {
          "get": {
            "summary": "The hub's state",
            "operationId": "getHealth",
            "responses": {
              "200": {"description": "The hub is serving", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
            }
          }
        },
        "/api/v1/openapi.json": {
          "get": {
            "summary": "This document",
            "operationId": "getOpenAPIDocument",
            "responses": {"200": {"description": "OpenAPI 3.0 document", "content": {"application/json": {"schema": {"type": "object"}}}}}
          }
        },
        "/": {
          "get": {
            "summary": "The web dashboard",
            "operationId": "getDashboard",
            "responses": {"200": {"description": "A self-contained HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}}
          }
        }
      },
      "components": {
        "parameters": {
          "SensorID": {"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Identifier"}}
        },
        "responses": {
          "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Identifier": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"},
          "ReadingBatch": {
            "type": "object",
            "required": ["appliance", "readings"],
            "additionalProperties": false,
            "properties": {
              "appliance": {"$ref": "#/components/schemas/Identifier"},
              "readings": {"type": "array", "maxItems": 1000, "description": "In strictly increasing seq order", "items": {"$ref": "#/components/schemas/ReadingInput"}}
            }
          },
          "ReadingInput": {
            "type": "object",
            "required": ["sensor", "quantity", "unit", "value", "time", "seq"],
            "additionalProperties": false,
            "properties": {
              "sensor": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,63}$", "description": "<appliance>.<name>: it must start with the batch's appliance id and a dot"},
              "quantity": {"type": "string", "pattern": "^[a-z0-9_]{1,32}$"},
              "unit": {"type": "string", "minLength": 1, "maxLength": 16, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"},
              "value": {"type": "number"},
              "time": {"type": "string", "format": "date-time"},
              "seq": {"type": "integer", "minimum": 1, "description": "Appliance-wide, strictly increasing"}
            }
          },
          "BatchResult": {
            "type": "object",
            "required": ["accepted", "duplicates", "acknowledged_seq"],
            "properties": {
              "accepted": {"type": "integer"},
              "duplicates": {"type": "integer"},
              "acknowledged_seq": {"type": "integer", "description": "Every reading of this appliance with seq at or below this is stored"}
            }
          },
          "LatestReading": {
            "type": "object",
            "required": ["seq", "time", "value", "received_at"],
            "properties": {
              "seq": {"type": "integer"},
              "time": {"type": "string", "format": "date-time"},
              "value": {"type": "number"},
              "received_at": {"type": "string", "format": "date-time"}
            }
          },
          "Sensor": {
            "type": "object",
            "required": ["id", "appliance", "quantity", "unit", "reading_count", "latest"],
            "properties": {
              "id": {"type": "string"},
              "appliance": {"type": "string"},
              "quantity": {"type": "string"},
              "unit": {"type": "string"},
              "reading_count": {"type": "integer"},
              "latest": {"allOf": [{"$ref": "#/components/schemas/LatestReading"}], "nullable": true}
            }
          },
          "SensorList": {
            "type": "object",
            "required": ["sensors"],
            "properties": {"sensors": {"type": "array", "items": {"$ref": "#/components/schemas/Sensor"}}}
          },
          "ReadingList": {
            "type": "object",
            "required": ["sensor", "readings", "truncated"],
            "properties": {
              "sensor": {"type": "string"},
              "truncated": {"type": "boolean"},
              "readings": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["seq", "time", "value"],
                  "properties": {"seq": {"type": "integer"}, "time": {"type": "string", "format": "date-time"}, "value": {"type": "number"}}
                }
              }
            }
          },
          "BucketList": {
            "type": "object",
            "required": ["sensor", "bucket_seconds", "buckets", "truncated"],
            "properties": {
              "sensor": {"type": "string"},
              "bucket_seconds": {"type": "integer"},
              "truncated": {"type": "boolean"},
              "buckets": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["time", "count", "mean", "min", "max"],
                  "properties": {
                    "time": {"type": "string", "format": "date-time", "description": "The start of the bucket"},
                    "count": {"type": "integer", "minimum": 1},
                    "mean": {"type": "number"},
                    "min": {"type": "number"},
                    "max": {"type": "number"}
                  }
                }
              }
            }
          },
          "Health": {
            "type": "object",
            "required": ["status", "version", "uptime_seconds", "appliances", "sensors", "readings", "store"],
            "properties": {
              "status": {"type": "string", "enum": ["ok"]},
              "version": {"type": "string"},
              "uptime_seconds": {"type": "integer"},
              "appliances": {"type": "integer"},
              "sensors": {"type": "integer"},
              "readings": {"type": "integer"},
              "store": {
                "type": "object",
                "required": ["kind", "bytes"],
                "properties": {"kind": {"type": "string"}, "bytes": {"type": "integer"}}
              }
            }
          },
          "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
              "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
              }
            }
          }
        }
      }
    }
    """#
}
