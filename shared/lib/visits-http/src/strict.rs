//! A JSON deserializer stricter than serde's defaults, for request bodies: a struct is read only
//! from an object (serde would also take an array, field by position), and `null` is never
//! "absent" (serde reads it as `None`). Unknown fields are refused by `deny_unknown_fields` on
//! each body type. A number with no fraction is an integer (`30.0` is `30`), as in JSON Schema.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Error, Value};

/// The largest integer a JSON number written as a float holds exactly (JavaScript's).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// What a `null` field gets told.
pub const NULL_MESSAGE: &str = "must not be null; leave the field out instead";

pub struct Strict(pub Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> Deserializer<'de> for Strict {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => Err(de::Error::custom(NULL_MESSAGE)),
            Value::Object(map) => visitor.visit_map(StrictMap { entries: map.into_iter(), value: None }),
            Value::Array(items) => visitor.visit_seq(StrictSeq(items.into_iter())),
            // JSON has one number type: 30.0 is the integer 30, as JSON Schema says too.
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                // Up to 2^53 - 1: beyond, a float no longer holds every integer exactly.
                (None, None, Some(f)) if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER => {
                    if f >= 0.0 {
                        visitor.visit_u64(f as u64)
                    } else {
                        visitor.visit_i64(f as i64)
                    }
                }
                _ => Value::Number(n).deserialize_any(visitor),
            },
            scalar => scalar.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => Err(de::Error::custom(NULL_MESSAGE)),
            value => visitor.visit_some(Strict(value)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(StrictMap { entries: map.into_iter(), value: None }),
            Value::Null => Err(de::Error::custom(NULL_MESSAGE)),
            other => Err(de::Error::invalid_type(unexpected(&other), &"an object")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => Err(de::Error::custom(NULL_MESSAGE)),
            value => value.deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier
    }
}

struct StrictMap {
    entries: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for StrictMap {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(Value::String(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self.value.take().ok_or_else(|| <Error as de::Error>::custom("a value without its key"))?;
        seed.deserialize(Strict(value))
    }
}

struct StrictSeq(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for StrictSeq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|item| seed.deserialize(Strict(item))).transpose()
    }
}
