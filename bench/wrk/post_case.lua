-- POST a case about the customer's own order (the customer's token is sent with -H).
wrk.method = "POST"
wrk.path = "/api/v1/support-cases"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"order_id": "ORD-1001", "subject": "Parcel arrived damaged",'
  .. ' "description": "The box was crushed and the mug inside is broken.",'
  .. ' "category": "damaged_item", "priority": "normal"}'
